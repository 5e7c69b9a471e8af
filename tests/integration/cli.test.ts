// The `sluice` CLI as a person runs it: a real child process, real signals, real output.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

type Run = { code: number | null; stdout: string; stderr: string };

function sluice(
  args: string[],
  opts: {
    onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
    /** Set in the child's environment (after ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL are removed). */
    env?: Record<string, string>;
  } = {},
) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['ANTHROPIC_API_KEY'];
  delete env['ANTHROPIC_BASE_URL'];
  Object.assign(env, opts.env);
  const child = spawn(TSX, ['src/main/cli.ts', ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    opts.onStdout?.(stdout, child);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('chat --json on a tool turn: one line per relay event, then a result with one parse per tool block', async () => {
  const run = await sluice([
    'chat',
    'use both tools: 17.5 * 4 and the time',
    '--model',
    'sim-tool',
    '--json',
    '--ttft',
    '0',
    '--tpot',
    '1',
  ]);
  expect(run.code).toBe(0);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const result = lines.at(-1) as {
    type: string;
    outcome: string;
    stopReason: string;
    toolInputParses: number;
    message: { content: { type: string; parseAttempts?: number; content?: string }[] };
    metrics: Record<string, number | null>;
  };
  expect(result.type).toBe('result');
  expect(result.outcome).toBe('complete');
  expect(result.stopReason).toBe('end_turn');
  const tools = result.message.content.filter((b) => b.type === 'tool_use');
  expect(tools.length).toBeGreaterThanOrEqual(1);
  expect(tools.every((b) => b.parseAttempts === 1)).toBe(true);
  expect(result.toolInputParses).toBe(tools.length);
  expect(result.message.content.filter((b) => b.type === 'tool_result')).toHaveLength(tools.length);
  expect(Object.keys(result.metrics)).toEqual(
    expect.arrayContaining(['ttftMs', 'tpotMs', 'totalMs', 'outputTokens']),
  );
  expect(lines[0]).toMatchObject({ type: 'turn_start' });
  expect(lines.filter((l) => l['type'] === 'terminal')).toHaveLength(1);
});

test('Ctrl-C aborts the upstream: partial kept, outcome aborted, the provider logs client-closed', async () => {
  let interrupted = false;
  const run = await sluice(['chat', 'hello', '--ttft', '0', '--tpot', '100'], {
    onStdout: (text, child) => {
      if (!interrupted && text.length > 40) {
        interrupted = true;
        child.kill('SIGINT');
      }
    },
  });
  expect(run.code).toBe(130);
  expect(run.stdout).toMatch(/outcome aborted/);
  expect(run.stderr).toMatch(
    /\[simulated provider\] sim end req_\S+ scenario=sim-text tokens=\d+ reason=client-closed/,
  );
  const shown = Number(/── (\d+) content deltas received before the stop/.exec(run.stdout)?.[1]);
  const generated = Number(/tokens=(\d+) reason=client-closed/.exec(run.stderr)?.[1]);
  expect(shown).toBeGreaterThan(0);
  // At 100 ms per token the provider stops within one token of what reached the terminal.
  expect(generated - shown).toBeLessThanOrEqual(1);
  expect(generated).toBeLessThan(300);
});

test('bad arguments get a clear usage message and exit 2', async () => {
  const [noPrompt, badFlag, unknown, badSetting, badModel] = await Promise.all([
    sluice(['chat']),
    sluice(['chat', 'hi', '--tpot', 'fast']),
    sluice(['chat', 'hi', '--frobnicate']),
    sluice(['chat', 'hi', '--max-tokens', '0']),
    sluice(['chat', 'hi', '--model', 'sim-nonsense']),
  ]);
  expect(noPrompt.code).toBe(2);
  expect(noPrompt.stderr).toContain('chat needs a prompt');
  expect(badFlag.code).toBe(2);
  expect(badFlag.stderr).toContain('--tpot takes a whole number');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('Usage:');
  expect(badSetting.code).toBe(2);
  expect(badSetting.stderr).toContain('Max tokens must be at least 1');
  expect(badModel.code).toBe(2);
});

describe('connection failures say what happened, where the address came from, and what to run', () => {
  const anthropicAt = (url: string) => ({ env: { ANTHROPIC_API_KEY: 'x', ANTHROPIC_BASE_URL: url } });
  /** The error lines the CLI ends with: the sentence and what to run next. */
  const errorLines = (run: Run) => run.stdout.slice(run.stdout.indexOf('✖'));

  test('a closed port: refused, naming the URL and ANTHROPIC_BASE_URL; nothing "kept", no "Retry"', async () => {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const url = `http://127.0.0.1:${port}`;
    const run = await sluice(['chat', 'hello'], anthropicAt(url));
    expect(run.code).toBe(1);
    const said = errorLines(run);
    expect(said).toContain(
      `✖ network: Nothing is listening at ${url} (from ANTHROPIC_BASE_URL): the connection was refused. Check the address in ANTHROPIC_BASE_URL, or start the server it points to.`,
    );
    expect(said).toContain('To try again, run the same command.');
    expect(run.stdout + run.stderr).not.toMatch(/kept|Retry|dropped/);
    // The SDK's own retries only; no whole-turn restart for a connection that never opened.
    expect(run.stderr).not.toContain('retrying the turn');
  });

  test('a host name that does not resolve (.invalid): not found, naming the host and the variable', async () => {
    const run = await sluice(['chat', 'hello'], anthropicAt('http://sluice-test.invalid:8080'));
    expect(run.code).toBe(1);
    const said = errorLines(run);
    expect(said).toMatch(
      /✖ network: Could not reach http:\/\/sluice-test\.invalid:8080 \(from ANTHROPIC_BASE_URL\): the host name sluice-test\.invalid (was not found|could not be looked up)/,
    );
    expect(said).toContain('Check the host name in ANTHROPIC_BASE_URL');
    expect(run.stdout + run.stderr).not.toMatch(/kept|Retry/);
  });

  test('401 from the server: check the key, named by its variable', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(401, { 'content-type': 'application/json', 'request-id': 'req_stub401' });
        res.end(
          '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_stub401"}',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const run = await sluice(['chat', 'hello'], anthropicAt(url));
      expect(run.code).toBe(1);
      expect(errorLines(run)).toContain(
        `✖ auth: ${url} (from ANTHROPIC_BASE_URL) rejected the API key (from ANTHROPIC_API_KEY). Check ANTHROPIC_API_KEY, and that ANTHROPIC_BASE_URL points to the server that key belongs to. (HTTP 401, authentication_error: invalid x-api-key)`,
      );
      expect(errorLines(run)).toContain('Once that is fixed, run the same command again.');
      expect(run.stdout + run.stderr).not.toMatch(/kept|Retry/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a drop mid-stream after some text says the text is kept', async () => {
    const run = await sluice(['chat', 'hello', '--model', 'sim-drop', '--ttft', '0', '--tpot', '1']);
    expect(run.code).toBe(1);
    expect(errorLines(run)).toMatch(
      /✖ network: The connection to http:\/\/127\.0\.0\.1:\d+ \(the embedded simulated provider\) dropped in the middle of the answer\. What arrived so far is kept\./,
    );
    expect(errorLines(run)).toContain('To try again, run the same command.');
    expect(run.stdout + run.stderr).not.toMatch(/Retry/);
  });
});
