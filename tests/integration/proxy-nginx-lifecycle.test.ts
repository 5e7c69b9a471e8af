// Finding, starting and ending the managed nginx: typed errors with human messages, a port race
// retried, and no nginx left behind — after stop, after a failed start, after the Node process ends
// or is killed by a signal, and after a crash (cleanupStaleNginx).
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  cleanupStaleNginx,
  findNginx,
  NginxStartError,
  startNginxFront,
  type NginxError,
} from '../../src/main/proxy';

const nginx = await findNginx();
if (!nginx.ok && process.env['CI']) {
  test('nginx is installed (required in CI)', () => {
    throw new Error(nginx.error.message);
  });
} else if (!nginx.ok) {
  console.warn(`proxy-nginx-lifecycle: real-nginx tests skipped — ${nginx.error.message}`);
}
const withNginx = nginx.ok ? describe : describe.skip;
const withShell = process.platform === 'win32' ? describe.skip : describe;
const REAL_NGINX = nginx.ok ? nginx.path : 'nginx';
const PROXY_MODULE = fileURLToPath(new URL('../../src/main/proxy/index.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DEAD_UPSTREAM = { url: 'http://127.0.0.1:9' };

let dir = '';
let baseDir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-nginx-life-'));
  baseDir = path.join(dir, 'fronts');
  await mkdir(baseDir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Running and not a zombie (a zombie has exited; only its parent or init has yet to reap it). */
async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat === null ? process.platform !== 'linux' : !/^\d+ \(.*\) Z /.test(stat);
}

async function gone(pid: number): Promise<boolean> {
  const deadline = performance.now() + 5_000;
  while (await isRunning(pid)) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function fake(name: string, script: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${script}\n`);
  await chmod(file, 0o755);
  return file;
}

async function startError(promise: Promise<unknown>): Promise<NginxError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NginxStartError);
  return (err as NginxStartError).error;
}

describe('findNginx', () => {
  test('a configured path that does not exist is nginx_missing, with what to do', async () => {
    const result = await findNginx('/nonexistent/sluice/nginx');
    expect(result).toMatchObject({ ok: false, error: { type: 'nginx_missing' } });
    const message = result.ok ? '' : result.error.message;
    expect(message).toContain('/nonexistent/sluice/nginx');
    expect(message).toContain('Settings');
    expect(message).toContain('Sluice keeps working direct.');
  });

  test('a binary that is not nginx is nginx_broken', async () => {
    const result = await findNginx(process.execPath);
    expect(result).toMatchObject({ ok: false, error: { type: 'nginx_broken' } });
  });

  withNginx('with nginx installed', () => {
    test('finds it and reads its version', async () => {
      expect(nginx).toMatchObject({ ok: true, version: expect.stringMatching(/\/\d+\.\d+/) });
      expect(await findNginx(REAL_NGINX)).toEqual(nginx);
    });
  });
});

describe('startNginxFront failures leave nothing behind', () => {
  test('a bogus nginx path rejects with a typed nginx_missing', async () => {
    const error = await startError(
      startNginxFront({
        profile: 'buffered',
        upstream: DEAD_UPSTREAM,
        nginxPath: '/nonexistent/nginx',
        baseDir,
      }),
    );
    expect(error.type).toBe('nginx_missing');
    expect(await readdir(baseDir)).toEqual([]);
  });

  withShell('with a fake nginx', () => {
    const version = 'if [ "$1" = "-v" ]; then echo "nginx version: nginx/0.0-fake" >&2; exit 0; fi';

    test("a config that nginx -t rejects is nginx_broken, in nginx's words", async () => {
      const bin = await fake(
        'nginx',
        `${version}\necho 'nginx: [emerg] unknown directive "frobnicate" in x:1' >&2\nexit 1`,
      );
      const error = await startError(
        startNginxFront({ profile: 'buffered', upstream: DEAD_UPSTREAM, nginxPath: bin, baseDir }),
      );
      expect(error.type).toBe('nginx_broken');
      expect(error.message).toContain('unknown directive "frobnicate"');
      expect(await readdir(baseDir)).toEqual([]);
    });

    test('an nginx that exits while starting is nginx_start_failed, with its log as detail', async () => {
      const bin = await fake(
        'nginx',
        `${version}\n[ "$1" = "-t" ] && exit 0\necho '[emerg] cannot load certificate' >> "$6"\nexit 1`,
      );
      const error = await startError(
        startNginxFront({ profile: 'buffered', upstream: DEAD_UPSTREAM, nginxPath: bin, baseDir }),
      );
      expect(error.type).toBe('nginx_start_failed');
      expect(error.detail).toContain('[emerg] cannot load certificate');
      expect(await readdir(baseDir)).toEqual([]);
    });

    test('an nginx that never answers is nginx_timeout, and is killed', async () => {
      const pidFile = path.join(dir, 'hung.pid');
      const bin = await fake(
        'nginx',
        `${version}\n[ "$1" = "-t" ] && exit 0\necho $$ > '${pidFile}'\nexec sleep 30`,
      );
      const error = await startError(
        startNginxFront({
          profile: 'buffered',
          upstream: DEAD_UPSTREAM,
          nginxPath: bin,
          baseDir,
          startTimeoutMs: 300,
        }),
      );
      expect(error.type).toBe('nginx_timeout');
      expect(error.message).toContain('300 ms');
      expect(await isRunning(Number(await readFile(pidFile, 'utf8')))).toBe(false);
      expect(await readdir(baseDir)).toEqual([]);
    });
  });
});

withNginx('with a real nginx', () => {
  test('a port lost to a race is retried on another port', async () => {
    const marker = path.join(dir, 'first-run-done');
    const bin = await fake(
      'nginx',
      [
        `case "$1" in -v|-t) exec '${REAL_NGINX}' "$@";; esac`,
        `if [ ! -e '${marker}' ]; then : > '${marker}'`,
        `  echo '[emerg] bind() to 127.0.0.1:1 failed (98: Address already in use)' >> "$6"; exit 1; fi`,
        `exec '${REAL_NGINX}' "$@"`,
      ].join('\n'),
    );
    const front = await startNginxFront({
      profile: 'streaming',
      upstream: DEAD_UPSTREAM,
      nginxPath: bin,
      baseDir,
    });
    await expect(readFile(marker, 'utf8')).resolves.toBe('');
    expect((await fetch(`${front.url}/__sluice_health`)).status).toBe(200);
    await front.stop();
    expect(await isRunning(front.pid)).toBe(false);
  });

  test('cleanupStaleNginx kills the nginx whose owner died, and spares the one whose owner lives', async () => {
    const orphaned = await startNginxFront({ profile: 'buffered', upstream: DEAD_UPSTREAM, baseDir });
    const owned = await startNginxFront({ profile: 'buffered', upstream: DEAD_UPSTREAM, baseDir });
    const deadPid = await exitedProcessPid();
    const ownerFile = path.join(orphaned.prefix, 'sluice-owner.json');
    const record = JSON.parse(await readFile(ownerFile, 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ ownerPid: process.pid, nginxPid: orphaned.pid });
    await writeFile(ownerFile, JSON.stringify({ ...record, ownerPid: deadPid }));

    expect(await cleanupStaleNginx(baseDir)).toBe(1);
    expect(await gone(orphaned.pid)).toBe(true);
    expect(await readdir(baseDir)).toEqual([path.basename(owned.prefix)]);
    expect(await isRunning(owned.pid)).toBe(true);
    expect((await fetch(`${owned.url}/__sluice_health`)).status).toBe(200);

    await orphaned.stop(); // already dead: harmless
    await owned.stop();
    expect(await readdir(baseDir)).toEqual([]);
  });

  test('the process exit hook kills nginx when Node ends without calling stop()', async () => {
    const child = await frontInChild('end');
    try {
      expect(await child.exit).toEqual({ code: 0, signal: null });
      expect(await gone(child.front.pid)).toBe(true);
      expect(await readdir(baseDir)).toEqual([]);
    } finally {
      sweep(child);
    }
  });

  test('SIGTERM to the Node process kills nginx, then Node still dies of the signal', async () => {
    const child = await frontInChild('wait');
    try {
      expect(await isRunning(child.front.pid)).toBe(true);
      child.process.kill('SIGTERM');
      expect(await child.exit).toEqual({ code: null, signal: 'SIGTERM' });
      expect(await gone(child.front.pid)).toBe(true);
      expect(await readdir(baseDir)).toEqual([]);
    } finally {
      sweep(child);
    }
  });
});

withShell('cleanupStaleNginx and recycled pids', () => {
  test("a recorded pid that is not that prefix's nginx is not killed; the stale prefix is removed", async () => {
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => bystander.once('spawn', r));
    const prefix = path.join(baseDir, 'front-stale1');
    await mkdir(prefix);
    const owner = {
      app: 'sluice',
      ownerPid: await exitedProcessPid(),
      nginxPid: bystander.pid,
      nginxPath: 'nginx',
      prefix,
    };
    await writeFile(path.join(prefix, 'sluice-owner.json'), JSON.stringify(owner));

    expect(await cleanupStaleNginx(baseDir)).toBe(0);
    expect(await isRunning(bystander.pid!)).toBe(true);
    expect(await readdir(baseDir)).toEqual([]);
    bystander.kill('SIGKILL');
  });
});

/** If the code under test failed to, end what the child left so a red test leaves no orphan either. */
function sweep(child: ChildFront): void {
  for (const pid of [child.process.pid, child.front.pid]) {
    try {
      process.kill(pid!, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
}

/** The pid of a process that has exited and been reaped. */
async function exitedProcessPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

type ChildFront = {
  process: ReturnType<typeof spawn>;
  front: { pid: number; prefix: string };
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** A separate Node process that starts a front, reports it, then ends on its own or waits for a signal. */
async function frontInChild(mode: 'end' | 'wait'): Promise<ChildFront> {
  const code = [
    `import { startNginxFront } from ${JSON.stringify(`file://${PROXY_MODULE}`)};`,
    `const f = await startNginxFront({ profile: 'streaming', upstream: { url: 'http://127.0.0.1:9' }, baseDir: ${JSON.stringify(baseDir)} });`,
    `console.log(JSON.stringify({ pid: f.pid, prefix: f.prefix }));`,
    mode === 'wait' ? 'setInterval(() => {}, 1000);' : '',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let out = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void exit.then(() => reject(new Error(`the child exited before reporting its front: ${out}`)));
  });
  return { process: child, front: JSON.parse(line) as { pid: number; prefix: string }, exit };
}
