// One writer per data directory: a second face is refused in one line naming the holder, a lock
// whose process is gone is taken over, and two `sluice serve`s on one directory lose no write.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ConversationStore } from '../../src/main/store/conversations';
import { DataDirLockedError, LOCK_FILE, lockDataDir, type LockOwner } from '../../src/main/store/lock';
import { parseSse } from '../support/serve';
import {
  callServe,
  spawnServe,
  spawnServeChild,
  streamUntil,
  type ServeChild,
} from '../support/serve-process';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-lock-'));
  cleanup.unshift(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const writeOwner = (dir: string, owner: Partial<LockOwner>) =>
  writeFile(
    join(dir, LOCK_FILE),
    JSON.stringify({ face: 'serve', host: hostname(), startedAt: Date.now() - 60_000, ...owner }),
  );

/** A pid that no process has: a child that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? 0;
}

test('a second lock on one directory is refused with the holder named; once released it can be taken', async () => {
  const dir = await tempDir();
  const first = await lockDataDir(dir, 'serve');
  await first.update({ url: 'http://127.0.0.1:4321/?token=abc' });
  const refused = await lockDataDir(dir, 'desktop').catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(DataDirLockedError);
  const error = refused as DataDirLockedError;
  expect(error.owner).toMatchObject({
    pid: process.pid,
    face: 'serve',
    url: 'http://127.0.0.1:4321/?token=abc',
  });
  expect(error.message).toContain(`in use by sluice serve (pid ${process.pid}`);
  expect(error.message).toContain('open http://127.0.0.1:4321/?token=abc');
  expect(error.message).toContain('SLUICE_DATA_DIR=DIR');
  expect(error.message.split('\n')).toHaveLength(1);
  // The owner file is the owner's only (it holds the serve's token).
  expect((await stat(join(dir, LOCK_FILE))).mode & 0o777).toBe(0o600);

  await first.release();
  const second = await lockDataDir(dir, 'desktop');
  expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ face: 'desktop' });
  await second.release();
  await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
});

test('a lock left by a process that is gone, or that cannot be read, is taken over', async () => {
  const dir = await tempDir();
  await writeOwner(dir, { pid: await deadPid() });
  const taken = await lockDataDir(dir, 'serve');
  expect(taken.owner.pid).toBe(process.pid);
  await taken.release();

  await writeFile(join(dir, LOCK_FILE), '{"pid": 12');
  const again = await lockDataDir(dir, 'serve');
  expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
  await again.release();
});

test('a pid since given to a program that is not Sluice does not hold the directory', async () => {
  const dir = await tempDir();
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  cleanup.push(async () => {
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.on('exit', resolve));
  });
  await writeOwner(dir, { pid: sleeper.pid ?? 0 });
  const taken = await lockDataDir(dir, 'serve');
  expect(taken.owner.pid).toBe(process.pid);
  await taken.release();
});

test('a lock from another host is never guessed stale', async () => {
  const dir = await tempDir();
  await writeOwner(dir, { pid: await deadPid(), host: 'another-machine.example' });
  await expect(lockDataDir(dir, 'serve')).rejects.toBeInstanceOf(DataDirLockedError);
});

test('two `sluice serve`s on one directory: the second says who holds it, and no write of the first is lost', async () => {
  const dir = await tempDir();
  const a = await spawnServe(dir);
  cleanup.push(a.stop);
  const created: string[] = [];
  expect(
    (await callServe(a, 'PATCH', '/api/settings', { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 } }))
      .status,
  ).toBe(200);
  const createOn = async (title: string) => {
    const { raw } = await streamUntil(a, title, (events) => events.some((e) => e.type === 'terminal'));
    const { events } = parseSse(raw());
    expect(events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'complete' });
    const start = events[0];
    created.push(start?.type === 'turn_start' ? start.conversationId : '');
  };
  await createOn('before the second serve');

  const b: ServeChild = spawnServeChild(dir);
  cleanup.push(b.stop);
  expect(await b.exited).toBe(1);
  const refusal = b.output().trim();
  expect(refusal.split('\n')).toHaveLength(1);
  expect(refusal).toMatch(
    new RegExp(`^sluice serve: The data directory .* is in use by sluice serve \\(pid ${a.child.pid}`),
  );
  expect(refusal).toContain(`kill ${a.child.pid}`);
  expect(refusal).toContain('--data-dir DIR');

  await createOn('after the refusal');
  // Killed with no chance to let go: the next serve takes the stale lock over and has every write.
  await a.stop();
  const c = await spawnServe(dir);
  cleanup.push(c.stop);
  const listed = (await callServe(c, 'GET', '/api/conversations')).json as { id: string; title: string }[];
  expect(listed.map((x) => x.id).sort()).toEqual([...created].sort());
  const store = new ConversationStore(dir);
  expect((await store.list()).map((x) => x.title).sort()).toEqual([
    'after the refusal',
    'before the second serve',
  ]);
});

test('`sluice serve --open` on a directory another serve has opens that one instead of failing', async () => {
  const dir = await tempDir();
  const bin = await tempDir();
  const opened = join(bin, 'opened.txt');
  // The desktop's opener, replaced by one that writes down what it was asked to open.
  await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > '${opened}'\n`);
  await chmod(join(bin, 'xdg-open'), 0o755);
  const a = await spawnServe(dir);
  cleanup.push(a.stop);
  const b = spawnServeChild(dir, { PATH: `${bin}:${process.env['PATH'] ?? ''}` }, ['--open']);
  cleanup.push(b.stop);
  expect(await b.exited).toBe(0);
  expect(b.output()).toContain(`Sluice is already serving ${dir} (pid ${a.child.pid}); opening it`);
  expect((await readFile(opened, 'utf8')).trim()).toBe(`http://127.0.0.1:${a.port}/?token=${a.token}`);
});
