// The `sluice` CLI as a person runs it: a real child process, real signals, real output.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

type Run = { code: number | null; stdout: string; stderr: string };

function sluice(
  args: string[],
  opts: { onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {},
) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['ANTHROPIC_API_KEY'];
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
