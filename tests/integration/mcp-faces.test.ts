// The faces of an MCP call, as real processes: `sluice serve` started with --allow-page-stdio
// takes a stdio server from the page, asks in the SSE stream, takes the decision on
// POST /api/turns/:id/tools/:toolUseId/decision, and on SIGTERM leaves no child behind; without
// the flag the page is refused; `sluice chat --mcp-config FILE --approve-all --json` runs a call
// for scripts and denies it without a terminal when not told to approve.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import type { RelayEvent } from '../../src/shared/protocol';
import { WITNESS_BIN, witnessedCalls, witnessLog } from '../support/mcp';
import { parseSse, rawRequest, startTestServe } from '../support/serve';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-mcp-faces-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const SIM_TOOL = { sim: { scenario: 'sim-tool', ttftMs: 0, tpotMs: 0 } };

function sluice(args: string[], env: NodeJS.ProcessEnv) {
  // Node itself with tsx as a loader, so a signal reaches Sluice and not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, exited, out: () => out, err: () => err };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function served(child: ChildProcess, out: () => string) {
  for (;;) {
    const match = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)/.exec(out());
    if (match) return { port: Number(match[1]), token: match[2] ?? '' };
    if (child.exitCode !== null) throw new Error(`serve exited: ${out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('sluice serve --allow-page-stdio: the page adds a stdio server, approves over HTTP, and SIGTERM leaves no child', async () => {
  const dir = await tempDir();
  const log = join(dir, 'witness.log');
  await writeFile(join(dir, 'settings.json'), JSON.stringify(SIM_TOOL));
  const serve = sluice(['serve', '--data-dir', dir, '--port', '0', '--no-build', '--allow-page-stdio'], {
    HOME: dir,
  });
  const { port, token } = await served(serve.child, serve.out);
  const headers = {
    host: `127.0.0.1:${port}`,
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  const api = (method: string, path: string, body?: unknown) =>
    rawRequest(port, method, path, headers, body === undefined ? undefined : JSON.stringify(body));

  const added = await api('PATCH', '/api/settings', {
    mcpServers: {
      witness: { command: process.execPath, args: [WITNESS_BIN], env: { MCP_WITNESS_LOG: log } },
    },
  });
  expect(added.status).toBe(200);
  expect(await api('GET', '/api/mcp')).toMatchObject({
    status: 200,
    json: {
      pageMayAddStdio: true,
      servers: [expect.objectContaining({ name: 'witness', status: 'stopped' })],
    },
  });

  const events = await new Promise<RelayEvent[]>((resolve, reject) => {
    let raw = '';
    let decided = false;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/turns', headers }, (res) => {
      res.on('data', (c: Buffer) => {
        raw += c.toString('utf8');
        const seen = parseSse(raw).events;
        const ask = seen.find((e) => e.type === 'status' && e.status.phase === 'awaiting_approval');
        if (ask?.type === 'status' && ask.status.phase === 'awaiting_approval' && !decided) {
          decided = true;
          void api('POST', `/api/turns/${ask.turnId}/tools/${ask.status.toolUseId}/decision`, {
            decision: 'once',
          });
        }
      });
      res.on('end', () => resolve(parseSse(raw).events));
    });
    req.on('error', reject);
    req.end(
      JSON.stringify({
        action: 'send',
        conversationId: null,
        text: 'use witness__count with "from the page"',
      }),
    );
  });
  const result = events.find((e) => e.type === 'tool_result');
  expect(result?.type === 'tool_result' && result.result).toMatchObject({
    content: 'counted: from the page',
    isError: false,
  });
  expect(events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'complete' });
  expect(await witnessedCalls(log)).toHaveLength(1);

  // A decision for a call that no longer waits is a clear 404.
  const late = await api('POST', `/api/turns/nope/tools/nope/decision`, { decision: 'once' });
  expect(late.status).toBe(404);
  expect(JSON.stringify(late.json)).toContain('waits for a decision');

  const start = (await witnessLog(log)).find((w) => w.kind === 'start');
  const pid = start?.kind === 'start' ? start.pid : -1;
  expect(alive(pid)).toBe(true);
  serve.child.kill('SIGTERM');
  expect(await serve.exited).toBe(0);
  expect(alive(pid)).toBe(false);
});

test('without --allow-page-stdio the page may not add a stdio server (a url one is fine)', async () => {
  const s = await startTestServe();
  cleanups.push(() => s.close());
  const refused = await s.call('PATCH', '/api/settings', {
    mcpServers: { evil: { command: 'sh', args: ['-c', 'id'] } },
  });
  expect(refused.status).toBe(403);
  expect(JSON.stringify(refused.json)).toMatch(
    /A page may not add a stdio MCP server \(evil\).*--allow-page-stdio/,
  );
  expect((await s.settings.get()).mcpServers).toEqual({});
  const url = await s.call('PATCH', '/api/settings', {
    mcpServers: { web: { url: 'http://127.0.0.1:1/mcp' } },
  });
  expect(url.status).toBe(200);
  expect((await s.settings.get()).mcpServers).toEqual({ web: { url: 'http://127.0.0.1:1/mcp' } });
});

/** `sluice chat PROMPT --model sim-tool … --mcp-config FILE` with the witness server in FILE. */
async function chatWithWitness(prompt: string, flags: string[]) {
  const dir = await tempDir();
  const log = join(dir, 'witness.log');
  const file = join(dir, 'servers.json');
  const witness = { command: process.execPath, args: [WITNESS_BIN], env: { MCP_WITNESS_LOG: log } };
  await writeFile(file, JSON.stringify({ mcpServers: { witness } }));
  const sim = ['--model', 'sim-tool', '--ttft', '0', '--tpot', '0'];
  const cli = sluice(['chat', prompt, ...sim, '--mcp-config', file, ...flags], {});
  return { cli, log };
}

test('sluice chat --mcp-config FILE --approve-all --json runs the call; the child is gone when the CLI exits', async () => {
  const { cli, log } = await chatWithWitness('use witness__count with "from a script"', [
    '--approve-all',
    '--json',
  ]);
  expect(await cli.exited).toBe(0);
  const lines = cli
    .out()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
  const result = lines.at(-1) as {
    type: string;
    outcome: string;
    message: { content: { type: string; content?: string }[] };
  };
  expect(result).toMatchObject({ type: 'result', outcome: 'complete' });
  expect(result.message.content.find((b) => b.type === 'tool_result')?.content).toBe(
    'counted: from a script',
  );
  const asked = lines.filter(
    (l) => l.type === 'status' && (l['status'] as { phase: string }).phase === 'awaiting_approval',
  );
  expect(asked).toHaveLength(1);
  expect(await witnessedCalls(log)).toHaveLength(1);
  const start = (await witnessLog(log)).find((w) => w.kind === 'start');
  expect(start?.kind === 'start' && alive(start.pid)).toBe(false);
});

test('sluice chat without --approve-all and no terminal: the call is denied with a line saying how to allow it', async () => {
  const { cli, log } = await chatWithWitness('use witness__count with "x"', []);
  expect(await cli.exited).toBe(0);
  expect(cli.err()).toContain('Denied witness__count: there is no terminal to ask on. Pass --approve-all');
  expect(await witnessedCalls(log)).toEqual([]);
});

test('sluice chat --mcp-config with a bad file says what is wrong and exits 2', async () => {
  const dir = await tempDir();
  const file = join(dir, 'servers.json');
  await writeFile(file, '{"servers": {}}');
  const cli = sluice(['chat', 'hi', '--mcp-config', file], {});
  expect(await cli.exited).toBe(2);
  expect(cli.err()).toMatch(/--mcp-config .*servers\.json.* is not an MCP config in the \{"mcpServers"/);
  const missing = sluice(['chat', 'hi', '--mcp-config', join(dir, 'nope.json')], {});
  expect(await missing.exited).toBe(2);
  expect(missing.err()).toMatch(/no file there/);
});

test('a SIGKILLed sluice serve leaves no MCP child either: the child sees its stdin close and exits', async () => {
  const dir = await tempDir();
  const log = join(dir, 'witness.log');
  const witness = { command: process.execPath, args: [WITNESS_BIN], env: { MCP_WITNESS_LOG: log } };
  await writeFile(join(dir, 'settings.json'), JSON.stringify({ ...SIM_TOOL, mcpServers: { witness } }));
  const serve = sluice(['serve', '--data-dir', dir, '--port', '0', '--no-build'], { HOME: dir });
  const { port, token } = await served(serve.child, serve.out);
  const headers = {
    host: `127.0.0.1:${port}`,
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  // A turn offers the server's tools, which starts it; the call then waits for a decision.
  const body = JSON.stringify({ action: 'send', conversationId: null, text: 'use witness__count with "x"' });
  const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/turns', headers });
  req.on('error', () => {}); // the server is killed under it
  req.end(body);
  let pid = -1;
  while (pid < 0) {
    const start = (await witnessLog(log)).find((w) => w.kind === 'start');
    if (start?.kind === 'start') pid = start.pid;
    else await new Promise((r) => setTimeout(r, 50));
  }
  expect(alive(pid)).toBe(true);

  serve.child.kill('SIGKILL'); // no cleanup runs in Sluice
  await serve.exited;
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pid)).toBe(false);
});
