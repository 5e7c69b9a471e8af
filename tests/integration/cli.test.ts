// The `sluice` CLI as a person runs it: a real child process, real signals, real output.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SIM_SCENARIOS } from '../../src/shared/protocol';
import { startSimulatedProvider, type SimulatedProvider } from '../../src/main/providers/simulated';
import { encodeSseEvents } from '../support/sse';
import { textStream } from '../support/stream-events';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/anthropic-recorded/', import.meta.url));

type Run = { code: number | null; stdout: string; stderr: string };

/** How the CLI is started: tsx on the source (what `npm run sluice` does), the package's bin, npx, npm run -s. */
const LAUNCH = {
  tsx: [TSX, 'src/main/cli.ts'],
  bin: [process.execPath, 'bin/sluice.mjs'],
  npx: ['npx', 'sluice'],
  'npm-run': ['npm', 'run', '-s', 'sluice', '--'],
} as const;

function sluice(
  args: string[],
  opts: {
    onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
    /** Set in the child's environment (after ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL are removed). */
    env?: NodeJS.ProcessEnv;
    via?: keyof typeof LAUNCH;
  } = {},
) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['ANTHROPIC_API_KEY'];
  delete env['ANTHROPIC_BASE_URL'];
  for (const name of ['OPENAI_API_KEY', 'OPENROUTER_API_KEY', 'DEEPSEEK_API_KEY']) delete env[name];
  Object.assign(env, opts.env);
  const [command, ...pre] = LAUNCH[opts.via ?? 'tsx'];
  const child = spawn(command, [...pre, ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    opts.onStdout?.(stdout, child);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

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
  const lines = jsonLines(run.stdout);
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

test('chat --attach sends the image; the provider names it by type, size and sha256; a file that is not one is refused', async () => {
  const file = 'tests/fixtures/attachments/sunrise.png';
  const bytes = await readFile(join(ROOT, file));
  const sha = createHash('sha256').update(bytes).digest('hex');
  const fast = '--json --ttft 0 --tpot 0'.split(' ');
  const run = await sluice(['chat', 'What is this?', '--attach', file, ...fast]);
  expect(run.code).toBe(0);
  const result = jsonLines(run.stdout).at(-1) as { message: { content: { type: string; text?: string }[] } };
  const text = result.message.content.map((b) => b.text ?? '').join('');
  expect(
    text.startsWith(`Received 1 attachment:\n\n1. image/png, ${bytes.length} bytes, sha256 ${sha}\n\n`),
  ).toBe(true);

  const refused = await sluice(['chat', 'hi', '--attach', 'tests/fixtures/attachments/not-an-image.png']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain(
    'sluice chat: --attach tests/fixtures/attachments/not-an-image.png: “not-an-image.png” is not a PNG, JPEG, GIF or WebP image nor a PDF (its contents say so, whatever its name). Attach an image or a PDF.',
  );
  const missing = await sluice(['chat', 'hi', '--attach', 'no/such.png']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(
    'sluice chat: --attach no/such.png: no readable file there. Give the path of an image or a PDF.',
  );
  // Three runs of the CLI, each starting tsx: on a loaded machine that takes a while.
}, 90_000);
test('chat --system: the request carries the system prompt (sim-echo says what it received)', async () => {
  const run = await sluice([
    'chat',
    'hello',
    '--model',
    'sim-echo',
    '--system',
    'Answer in one sentence.',
    '--max-tokens',
    '500',
    '--ttft',
    '0',
    '--tpot',
    '0',
  ]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(
    'System prompt: “Answer in one sentence.”. Temperature: not set. Max tokens: 500.',
  );
});

test('a reader that closes the pipe stops the turn quietly: no EPIPE crash', async () => {
  let closed = false;
  const run = await sluice(['chat', 'hello', '--json', '--ttft', '0', '--tpot', '20'], {
    onStdout: (text, child) => {
      if (!closed && text.length > 40) {
        closed = true;
        child.stdout?.destroy();
      }
    },
  });
  expect(closed).toBe(true);
  expect(run.code).toBe(130);
  expect(run.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
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

const CHAT_HELP = 'Run "npm run -s sluice -- chat --help" for its options.';

test.each([
  [
    'an unknown option',
    ['chat', 'hi', '--bogus'],
    'sluice chat: unknown option --bogus; chat takes --model, --provider, --base-url, --json, --max-tokens, --system, --thinking, --idle-timeout, --ttft, --tpot, --via-nginx, --replay, --mcp-config, --approve-all, --attach.',
  ],
  [
    'a misspelt option',
    ['chat', 'hi', '--max-token', '5'],
    'sluice chat: unknown option --max-token; did you mean --max-tokens?',
  ],
  [
    'a missing value',
    ['chat', 'hi', '--model'],
    'sluice chat: --model needs a value, e.g. --model sim-tool.',
  ],
  [
    'an option where a value should be',
    ['chat', 'hi', '--model', '--json'],
    'sluice chat: --model needs a value, e.g. --model sim-tool.',
  ],
  [
    'a value on a switch',
    ['chat', 'hi', '--json=yes'],
    'sluice chat: --json takes no value; write --json alone, not --json=yes.',
  ],
  [
    'a word for a number',
    ['chat', 'hi', '--max-tokens', 'abc'],
    'sluice chat: --max-tokens takes a whole number, e.g. --max-tokens 4096; "abc" is not one.',
  ],
  [
    'a negative time',
    ['chat', 'hi', '--ttft', '-5'],
    'sluice chat: --ttft -5: The time to first token must be 0 ms or more.',
  ],
  [
    'a number out of range',
    ['chat', 'hi', '--max-tokens', '0'],
    'sluice chat: --max-tokens 0: Max tokens must be at least 1.',
  ],
  [
    'a thinking budget over max tokens',
    ['chat', 'hi', '--thinking', '9000'],
    'sluice chat: --thinking 9000: The thinking budget must be smaller than max tokens. Raise --max-tokens (default 4096) as well.',
  ],
  [
    'a missing prompt',
    ['chat', '--json'],
    'sluice chat: no prompt given. Put it after chat, in quotes: npm run -s sluice -- chat "hello".',
  ],
  [
    'an unknown provider',
    ['chat', 'hi', '--provider', 'gemini', '--model', 'x'],
    'sluice chat: --provider takes one of simulated, anthropic, openai, ollama, lmstudio, openrouter, deepseek; "gemini" is not one.',
  ],
  [
    'an OpenAI-compatible provider without a model',
    ['chat', 'hi', '--provider', 'ollama'],
    'sluice chat: --provider ollama needs --model M (e.g. --model llama3.2); npm run -s sluice -- models --provider ollama lists them.',
  ],
  [
    "a provider's own service without its key",
    ['chat', 'hi', '--provider', 'openrouter', '--model', 'x'],
    'sluice chat: --provider openrouter needs OPENROUTER_API_KEY set to your OpenRouter API key.',
  ],
  [
    'a base URL without a provider',
    ['chat', 'hi', '--base-url', 'http://127.0.0.1:8000/v1'],
    'sluice chat: --base-url needs --provider: e.g. --provider openai --base-url http://127.0.0.1:8000/v1 (any OpenAI-compatible server), or set ANTHROPIC_BASE_URL for a Messages API server.',
  ],
  [
    'a base URL that is not one',
    ['chat', 'hi', '--provider', 'openai', '--base-url', 'localhost:8000', '--model', 'm'],
    'sluice chat: --base-url localhost:8000: give an http:// or https:// address, e.g. https://api.openai.com/v1.',
  ],
  [
    'an unknown nginx profile',
    ['chat', 'hi', '--via-nginx', 'fast'],
    'sluice chat: --via-nginx takes one of buffered, buffered-gzip, streaming, header-cure; "fast" is not one.',
  ],
])('%s: one line naming the option and what to do, the help pointer, exit 2', async (_, args, line) => {
  const run = await sluice(args);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`${line}\n${CHAT_HELP}\n`);
});

test('an unknown command lists the commands and points at --help, exit 2', async () => {
  const run = await sluice(['chta', 'hi']);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(
    'sluice: unknown command "chta"; the commands are chat, models, serve, proxy-check, simulate.\n' +
      'Run "npm run -s sluice -- --help" for what each does and its options.\n',
  );
});

test("--help after a command prints that command's usage, exit 0", async () => {
  const run = await sluice(['chat', '--help']);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^Usage: npm run -s sluice -- chat "prompt" \[options\]\n/);
  expect(run.stdout).toContain('--replay FILE');
  expect(run.stdout).not.toContain('proxy-check');
});

describe('--model', () => {
  let sim: SimulatedProvider;
  beforeAll(async () => {
    sim = await startSimulatedProvider({ defaults: { ttftMs: 0, tpotMs: 0 } });
  });
  afterAll(() => sim.close());

  test('a name that is no scenario, without a key: says which models there are and what a real one needs', async () => {
    const run = await sluice(['chat', 'hi', '--model', 'nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `sluice chat: --model nope: with no ANTHROPIC_API_KEY, Sluice runs the simulated provider, whose models are ${SIM_SCENARIOS.join(', ')}, sim-replay (with --replay FILE.sse); a real model name (claude-…) needs ANTHROPIC_API_KEY, another provider's needs --provider.\n${CHAT_HELP}\n`,
    );
    expect(run.stderr).not.toContain('sim.scenario');
  });

  test('with a key, a real model name goes through to the provider', async () => {
    const run = await sluice(['chat', 'hi', '--model', 'claude-opus-4-8', '--json'], {
      env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: sim.url },
    });
    expect(run.code, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines[0]).toMatchObject({ type: 'turn_start', provider: 'anthropic', model: 'claude-opus-4-8' });
    // The provider saw the name: the simulator echoes it back in message_start, as the API does.
    expect(lines).toContainEqual(
      expect.objectContaining({
        type: 'provider',
        event: expect.objectContaining({ message: expect.objectContaining({ model: 'claude-opus-4-8' }) }),
      }),
    );
    expect(lines.at(-1)).toMatchObject({ type: 'result', outcome: 'complete' });
  });

  test('the result and the footer carry the tokens and their cost at the dated table price', async () => {
    // No prices.json of the person's: a data home with nothing in it.
    const env = {
      ANTHROPIC_API_KEY: 'sk-test',
      ANTHROPIC_BASE_URL: sim.url,
      XDG_DATA_HOME: join(tmpdir(), `sluice-no-prices-${process.pid}`),
    };
    const run = await sluice(['chat', 'hi', '--model', 'claude-opus-4-8', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const result = jsonLines(run.stdout).at(-1) as {
      usage: { input: number; output: number };
      cost: { kind: string; usd: number; asOf: string; source: string };
    };
    expect(result.usage.input).toBeGreaterThan(0);
    expect(result.usage.output).toBeGreaterThan(0);
    // Claude Opus 4.8 in the shipped table: $5 in, $25 out per million tokens.
    expect(result.cost).toMatchObject({ kind: 'priced', asOf: '2026-12-01' });
    expect(result.cost.usd).toBeCloseTo((result.usage.input * 5 + result.usage.output * 25) / 1e6, 12);
    expect(result.cost.source).toBe('https://platform.claude.com/docs/en/about-claude/pricing');

    const shown = await sluice(['chat', 'hi', '--model', 'claude-opus-4-8'], { env });
    expect(shown.stdout).toMatch(
      new RegExp(
        `── tokens: input ${result.usage.input} · output ${result.usage.output} · \\$0\\.\\d{4} · prices as of 2026-12-01\\n`,
      ),
    );
  });

  test('a model with no price says so and where to add one; the person’s prices.json prices it', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sluice-prices-'));
    const env = { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: sim.url, XDG_DATA_HOME: home };
    try {
      const unknown = await sluice(['chat', 'hi', '--model', 'claude-nonesuch-1'], { env });
      expect(unknown.code, unknown.stderr).toBe(0);
      expect(unknown.stdout).toContain(
        'No price is known for claude-nonesuch-1. Add an entry to prices.json in the data directory (README: Tokens and cost).',
      );
      expect(unknown.stdout).not.toMatch(/tokens: .*\$/);
      const own = {
        models: [
          {
            provider: 'anthropic',
            model: 'claude-nonesuch-1',
            input: 1000,
            output: 1000,
            asOf: '2026-11-01',
            source: 'a test',
          },
        ],
      };
      await rm(join(home, 'sluice'), { recursive: true, force: true });
      await mkdir(join(home, 'sluice'), { recursive: true });
      await writeFile(join(home, 'sluice', 'prices.json'), JSON.stringify(own));
      const priced = await sluice(['chat', 'hi', '--model', 'claude-nonesuch-1'], { env });
      expect(priced.stdout).toMatch(/· \$0\.\d{4} · prices as of 2026-11-01\n/);
      await writeFile(join(home, 'sluice', 'prices.json'), '{"models": 3}');
      const refused = await sluice(['chat', 'hi', '--model', 'claude-nonesuch-1'], { env });
      expect(refused.stderr).toContain(`Your prices in ${join(home, 'sluice', 'prices.json')} are not used`);
      expect(refused.stdout).toContain('No price is known for claude-nonesuch-1.');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

test('a multi-megabyte --json result read through a slow pipe arrives whole: output is flushed before exit', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-big-'));
  try {
    // 4,000 deltas of 500 characters: a 2 MB answer, in a recorded stream the simulator replays.
    const parts = Array.from({ length: 4000 }, (_, i) => `${String(i).padStart(6, '0')}${'x'.repeat(494)}`);
    const file = join(dir, 'big.sse');
    await writeFile(file, encodeSseEvents(textStream(parts)));
    // A reader that starts late, as `| jq` or a busy consumer does: the CLI ends with output queued.
    const cli = [
      TSX,
      'src/main/cli.ts',
      'chat',
      'hi',
      '--replay',
      file,
      '--json',
      '--ttft',
      '0',
      '--tpot',
      '0',
    ];
    const child = spawn('sh', ['-c', `"$@" | (sleep 1; cat)`, 'sh', ...cli], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const result = jsonLines(stdout).at(-1) as { type?: string; message?: { content: { text: string }[] } };
    expect(result.type).toBe('result');
    expect(result.message?.content[0]?.text).toBe(parts.join(''));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('sim-replay', () => {
  test('--model sim-replay --replay FILE.sse streams the recorded answer', async () => {
    const file = `${FIXTURES}basic_response.sse`;
    const run = await sluice([
      'chat',
      'hi',
      '--model',
      'sim-replay',
      '--replay',
      file,
      '--json',
      '--ttft',
      '0',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = jsonLines(run.stdout).at(-1);
    expect(result).toMatchObject({
      type: 'result',
      outcome: 'complete',
      stopReason: 'end_turn',
      message: { content: [{ type: 'text', text: 'Hello there!' }] },
    });
    expect(run.stderr).toMatch(
      /\[simulated provider\] sim end \S+ scenario=sim-replay tokens=3 reason=complete/,
    );
    expect(await readFile(file, 'utf8')).toContain('"text":"Hello"');
  });

  test('the terminal names the file it replays; --replay alone implies sim-replay', async () => {
    const run = await sluice(['chat', 'hi', '--replay', `${FIXTURES}stream-a-refusal.sse`, '--ttft', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^Simulated provider \(sim-replay: stream-a-refusal\.sse\)\n/);
    expect(run.stdout).toMatch(/outcome complete · stop refusal/);
  });

  test.each([
    [
      ['--model', 'sim-replay'],
      'sluice chat: --model sim-replay replays a recorded stream: add --replay FILE.sse (the body of a streamed Messages API answer).',
    ],
    [
      ['--replay', '/nonexistent/x.sse'],
      'sluice chat: --replay /nonexistent/x.sse: no readable file there. Give the path of a recorded .sse stream.',
    ],
    [
      ['--replay', `${FIXTURES}basic_response.sse`, '--model', 'sim-text'],
      'sluice chat: --replay plays a recorded stream as the model sim-replay, not --model sim-text; drop one of the two.',
    ],
  ])('%j: says what is missing, exit 2', async (args, line) => {
    const run = await sluice(['chat', 'hi', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${line}\n${CHAT_HELP}\n`);
  });
});

describe('the package bin and pure machine output', () => {
  test('bin/sluice.mjs (package.json "bin") prints the usage, and passes exit codes through', async () => {
    const pkg = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ sluice: 'bin/sluice.mjs' });
    const [help, bad] = await Promise.all([
      sluice(['--help'], { via: 'bin' }),
      sluice(['chat'], { via: 'bin' }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run -s sluice -- <command> \[options\]\n {3}or: npx sluice/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sluice chat: no prompt given.');
  });

  test('npx sluice --help prints the usage', async () => {
    const run = await sluice(['--help'], { via: 'npx' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run -s sluice -- <command> \[options\]\n/);
  });

  test.each(['npx', 'npm-run'] as const)(
    '%s … chat --json: stdout is JSON lines and nothing else',
    async (via) => {
      const run = await sluice(['chat', 'hi', '--json', '--ttft', '0', '--tpot', '0'], { via });
      expect(run.code, run.stderr).toBe(0);
      const lines = jsonLines(run.stdout);
      expect(lines[0]).toMatchObject({ type: 'turn_start' });
      expect(lines.at(-1)).toMatchObject({ type: 'result', outcome: 'complete' });
    },
  );

  test('Ctrl-C through the bin reaches the CLI: outcome aborted, exit 130', async () => {
    let interrupted = false;
    const run = await sluice(['chat', 'hello', '--ttft', '0', '--tpot', '100'], {
      via: 'bin',
      onStdout: (text, child) => {
        if (!interrupted && text.length > 40) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/outcome aborted/);
    expect(run.stderr).toMatch(/reason=client-closed/);
  });
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

describe('--provider: an OpenAI-compatible server (the simulated provider speaking Chat Completions)', () => {
  let sim: SimulatedProvider;
  beforeAll(async () => {
    sim = await startSimulatedProvider({ defaults: { ttftMs: 0, tpotMs: 1 } });
  });
  afterAll(() => sim.close());

  test('chat --provider ollama --json on a tool turn: the same result line, one parse per tool call', async () => {
    const run = await sluice([
      'chat',
      'what is 17.5*4?',
      '--provider',
      'ollama',
      '--base-url',
      `${sim.url}/ollama/v1`,
      '--model',
      'sim-tool',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines[0]).toMatchObject({ type: 'turn_start', provider: 'openai', model: 'sim-tool' });
    const result = lines.at(-1) as {
      outcome: string;
      stopReason: string;
      toolInputParses: number;
      message: { content: { type: string; id?: string; parseAttempts?: number; input?: unknown }[] };
    };
    expect(result).toMatchObject({ type: 'result', outcome: 'complete', stopReason: 'end_turn' });
    const calls = result.message.content.filter((b) => b.type === 'tool_use');
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const call of calls) expect(call).toMatchObject({ parseAttempts: 1, input: { status: 'parsed' } });
    expect(result.toolInputParses).toBe(calls.length);
    expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);
    const results = result.message.content.filter((b) => b.type === 'tool_result') as { content?: string }[];
    expect(results.map((r) => r.content)).toContain('70');
  });

  test('models --provider lists the server’s models; a base URL without /v1 says to add it', async () => {
    const listed = await sluice(['models', '--provider', 'ollama', '--base-url', `${sim.url}/ollama/v1`]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').filter(Boolean)).toEqual([...SIM_SCENARIOS]);
    const json = await sluice(['models', '--provider', 'lmstudio', '--base-url', `${sim.url}/v1`, '--json']);
    const list = JSON.parse(json.stdout) as { provider: string; models: { id: string }[] };
    expect(list.provider).toBe('lmstudio');
    expect(list.models.map((m) => m.id)).toEqual([...SIM_SCENARIOS]);
    const noV1 = await sluice(['models', '--provider', 'openai', '--base-url', sim.url]);
    expect(noV1.code).toBe(1);
    expect(noV1.stderr).toBe(
      `sluice models: There is no model list at ${sim.url}/models (HTTP 404). OpenAI-compatible servers answer under /v1: try ${sim.url}/v1 as the base URL.\n`,
    );
  });

  test('a local server that is not running: the sentence says how to start it', async () => {
    const port = await freePort();
    const run = await sluice(['models', '--provider', 'ollama', '--base-url', `http://127.0.0.1:${port}/v1`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `sluice models: Nothing is listening at http://127.0.0.1:${port}/v1: is Ollama running? Start it with \`ollama serve\`. If it listens elsewhere, give its address with --base-url.\n`,
    );
  });

  test('Ctrl-C on the OpenAI-compatible path: the provider logs client-closed within one token of what was shown', async () => {
    const slow = await startSimulatedProvider({ defaults: { ttftMs: 0, tpotMs: 100 } });
    let interrupted = false;
    const run = await sluice(
      ['chat', 'hello', '--provider', 'ollama', '--base-url', `${slow.url}/ollama/v1`, '--model', 'sim-text'],
      {
        onStdout: (text, child) => {
          if (!interrupted && text.length > 40) {
            interrupted = true;
            child.kill('SIGINT');
          }
        },
      },
    );
    const [entry] = slow.entries;
    await slow.close();
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/outcome aborted/);
    expect(entry).toMatchObject({ wire: 'openai', scenario: 'sim-text', reason: 'client-closed' });
    const shown = Number(/── (\d+) content deltas received before the stop/.exec(run.stdout)?.[1]);
    expect(shown).toBeGreaterThan(0);
    expect(entry!.tokensGenerated - shown).toBeGreaterThanOrEqual(0);
    expect(entry!.tokensGenerated - shown).toBeLessThanOrEqual(1);
  });
});

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
