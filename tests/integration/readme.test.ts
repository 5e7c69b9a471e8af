// Every command in README.md's shell blocks is run here or accounted for by name. The quick ones run
// for real, as written, through `sh` from the repository root (the `chat` ones with the simulated
// provider's timing flags appended unless they set them, and a `--replay FILE` given a real
// recorded stream); the servers run until they print their
// URL and answer it, then stop cleanly on Ctrl-C (SIGINT to their process group); the curl example
// runs against a real `sluice serve`; the rest are on ACCOUNTED, each with what runs it and why not
// here. A README command that is neither fails this test, and so does an ACCOUNTED entry the README
// no longer has.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test, type TestContext } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const FIXTURES = join(ROOT, '..', 'shared', 'fixtures', 'anthropic-recorded');
const SHELLS = new Set(['sh', 'bash', 'shell', 'zsh', 'console']);

// ───── Reading the README ─────

/** The commands of the README's shell blocks: continuations joined, prompts and comments removed,
 * `a && b`, `a || b` and `a; b` split. */
function readmeCommands(markdown: string): string[] {
  const commands: string[] = [];
  let fence: { marker: string; lines: string[] | null } | null = null;
  for (const line of markdown.split('\n')) {
    const m = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (fence) {
      if (m?.[1]?.startsWith(fence.marker) && !m[2]) {
        if (fence.lines) commands.push(...blockCommands(fence.lines));
        fence = null;
      } else {
        fence.lines?.push(line);
      }
    } else if (m?.[1]) {
      fence = { marker: m[1], lines: SHELLS.has(m[2] ?? '') ? [] : null };
    }
  }
  return commands;
}

function blockCommands(lines: string[]): string[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of lines) {
    const line = raw.replace(/^\s*\$\s+/, '');
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, ' ');
    } else {
      logical.push(pending + line);
      pending = '';
    }
  }
  if (pending) logical.push(pending);
  return logical.flatMap((l) => splitCommands(stripComment(l))).filter((c) => c.length > 0);
}

/** Calls `at` with each position of `line` outside quotes and escapes; `at` returns true to stop. */
function unquoted(line: string, at: (i: number) => boolean): void {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (c === '\\' && quote !== "'") i += 1;
    else if (quote) quote = c === quote ? null : quote;
    else if (c === '"' || c === "'") quote = c;
    else if (at(i)) return;
  }
}

function stripComment(line: string): string {
  let end = line.length;
  unquoted(line, (i) => {
    if (line[i] !== '#' || (i > 0 && !/\s/.test(line[i - 1] ?? ''))) return false;
    end = i;
    return true;
  });
  return line.slice(0, end);
}

function splitCommands(line: string): string[] {
  const parts: string[] = [];
  let from = 0;
  unquoted(line, (i) => {
    const op = ['&&', '||', ';'].find((o) => line.startsWith(o, i));
    if (op && i >= from) {
      parts.push(line.slice(from, i));
      from = i + op.length;
    }
    return false;
  });
  parts.push(line.slice(from));
  return parts.map((p) => p.trim().replace(/\s+/g, ' '));
}

/** `npm run sluice -- …`, `npm run -s sluice -- …`, `npx sluice …`: the arguments to sluice. */
const SLUICE =
  /^(?:npm run(?: -s| --silent)? sluice(?: --)?|npx(?: --no(?:-install)?| --offline)? sluice)(?: (.*))?$/;
const sluiceArgs = (command: string): string | null => {
  const m = SLUICE.exec(command);
  return m ? (m[1] ?? '') : null;
};
/** A synopsis's optional parts (`[--port N]`) are not part of the command. */
const withoutOptional = (command: string) =>
  command
    .replace(/ ?\[[^\]]*\]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

// ───── What accounts for each command ─────

type Accounted = { by: string; shows: string; why: string };

/** The commands not run here, keyed as the README writes them (sluice ones by their arguments,
 * without optional parts): what runs them (a file that must show `shows`), and why not here. */
const ACCOUNTED: Record<string, Accounted> = {
  'npm install': {
    by: '.ci/run',
    shows: 'npm ci',
    why: 'installs from the registry; CI installs the same tree from the lockfile',
  },
  'npm start': {
    by: 'tests/integration/start.test.ts',
    shows: "spawn('npm', ['start'",
    why: 'runs until stopped; that test starts both paths and stops each with SIGTERM, SIGINT and SIGHUP',
  },
  'npm run bench -- --only=peers-relay': {
    by: 'bench/run.ts',
    shows: "id: 'peers-relay'",
    why: 'about two minutes of measurement on a quiet machine, not a check; `npm run bench` runs it with the rest',
  },
  'npm test': {
    by: '.ci/run',
    shows: 'npm test',
    why: 'the whole suite, this test among it',
  },
  'sluice models --provider ollama': {
    by: 'tests/integration/cli.test.ts',
    shows: "'models', '--provider', 'ollama', '--base-url'",
    why: 'needs a running Ollama; that test runs it with --base-url at the simulated provider speaking Ollama’s dialect',
  },
  'sluice chat "hello" --provider ollama --model llama3.2': {
    by: 'tests/integration/cli.test.ts',
    shows: 'chat --provider ollama --json on a tool turn',
    why: 'needs a running Ollama; that test runs the same command with --base-url at the simulated provider (/ollama/v1)',
  },
  'sluice chat "hello" --provider openai --model gpt-5-mini': {
    by: 'tests/integration/relay-openai.test.ts',
    shows: 'OpenAIProvider',
    why: 'needs OPENAI_API_KEY and api.openai.com; the same adapter and SDK calls run there against loopback upstreams',
  },
  'sluice chat "hi" --provider openai --base-url http://127.0.0.1:8000/v1 --model M': {
    by: 'tests/integration/cli.test.ts',
    shows: "'--base-url',",
    why: 'needs a server at that address; the --base-url form runs there against the simulated provider',
  },
  'npm run bench': {
    by: 'bench/run.ts',
    shows: 'parseBenchArgs(',
    why: 'about 15 minutes of measuring, not a test; its arguments and --check are tested in tests/unit/bench/args.test.ts',
  },
  'npm run bench -- --only bundle': {
    by: 'tests/unit/bench/args.test.ts',
    shows: "['--only', 'bundle']",
    why: 'a minute of building and measuring; that test reads the same arguments with made-up results',
  },
  'npm run bench -- --check': {
    by: 'tests/unit/bench/args.test.ts',
    shows: 'exitCodeOf(true, names)).toBe(1)',
    why: 'all the benchmarks first; that test gives the gate made-up results, met and missed',
  },
  'sluice proxy-check': {
    by: 'tests/unit/proxy-check-report.test.ts',
    shows: 'proxy-check',
    why: 'about 40 s with no shorter setting; its report is tested there, its paths (each nginx profile, serve behind nginx, heartbeats) in proxy-nginx.test.ts and proxy-route.test.ts',
  },
};

const CI_RUN = readFileSync(join(ROOT, '.ci/run'), 'utf8');

/** `apt-get install …` is accounted for when .ci/run installs every package it names. */
function aptAccounted(command: string): boolean {
  const m = /^(?:sudo )?apt(?:-get)? install((?: \S+)+)$/.exec(command);
  if (!m?.[1]) return false;
  const installed = new Set(
    CI_RUN.split('\n')
      .filter((l) => l.includes('apt-get install'))
      .flatMap((l) => l.split(/\s+/)),
  );
  const packages = m[1]
    .trim()
    .split(' ')
    .filter((p) => !p.startsWith('-'));
  return packages.length > 0 && packages.every((p) => installed.has(p));
}

type Plan =
  | { kind: 'run' | 'server'; args: string }
  | { kind: 'curl' }
  | { kind: 'curl-attach' }
  | { kind: 'accounted'; key: string }
  | { kind: 'apt' }
  | { kind: 'unknown' };

function plan(command: string): Plan {
  const args = sluiceArgs(command);
  if (args !== null) {
    const key = `sluice ${withoutOptional(args)}`;
    if (ACCOUNTED[key]) return { kind: 'accounted', key };
    const sub = args.split(' ')[0] ?? '';
    if (['chat', '--help', '-h', 'help'].includes(sub)) return { kind: 'run', args };
    if (sub === 'serve' || sub === 'simulate') return { kind: 'server', args };
    return { kind: 'unknown' };
  }
  if (ACCOUNTED[command]) return { kind: 'accounted', key: command };
  if (aptAccounted(command)) return { kind: 'apt' };
  if (/^curl .*\/api\/turns\/ID\/events\b/.test(command)) return { kind: 'curl-attach' };
  if (/^curl .*\/api\/turns\b/.test(command)) return { kind: 'curl' };
  return { kind: 'unknown' };
}

const COMMANDS = readmeCommands(README);

describe('the README, read', () => {
  test('its shell blocks hold the commands this test knows to look for', () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(8);
    expect(COMMANDS).toEqual(expect.arrayContaining(['npm install', 'npm start', 'npm test']));
    expect(COMMANDS.some((c) => sluiceArgs(c)?.startsWith('chat '))).toBe(true);
  });

  test('every command is run here or accounted for', () => {
    const unknown = COMMANDS.filter((c) => plan(c).kind === 'unknown');
    expect(
      unknown,
      'commands nothing runs: run them here, or put them on ACCOUNTED with what runs them',
    ).toEqual([]);
  });

  test('every ACCOUNTED entry is still in the README, and what it names shows that it runs it', () => {
    const used = new Set(COMMANDS.map(plan).flatMap((p) => (p.kind === 'accounted' ? [p.key] : [])));
    for (const [key, entry] of Object.entries(ACCOUNTED)) {
      expect(used.has(key), `"${key}" is no longer in the README; drop it from ACCOUNTED`).toBe(true);
      const file = join(ROOT, entry.by);
      expect(existsSync(file), `${entry.by}, named for "${key}"`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${entry.by}, named for "${key}"`).toContain(entry.shows);
    }
  });

  test('the reader: continuations, comments, && and optional parts', () => {
    const md = [
      '```sh',
      'npm install && npm start',
      'npm run -s sluice -- chat "a # not a comment" --json   # a comment',
      "curl -H 'x: y' \\",
      '  http://127.0.0.1:PORT/api/turns',
      '```',
      '```js',
      'npm run not-a-shell-block',
      '```',
    ].join('\n');
    expect(readmeCommands(md)).toEqual([
      'npm install',
      'npm start',
      'npm run -s sluice -- chat "a # not a comment" --json',
      "curl -H 'x: y' http://127.0.0.1:PORT/api/turns",
    ]);
    expect(sluiceArgs('npx sluice chat "hi"')).toBe('chat "hi"');
    expect(sluiceArgs('npx --no sluice chat "hi"')).toBe('chat "hi"');
    expect(sluiceArgs('npm run sluice -- serve [--port N] [--open]')).toBe('serve [--port N] [--open]');
    expect(withoutOptional('serve [--port N] [--open] --x')).toBe('serve --x');
    expect(plan('npm run -s sluice -- proxy-check [--out DIR]')).toEqual({
      kind: 'accounted',
      key: 'sluice proxy-check',
    });
    expect(plan('npm run sluice -- frobnicate').kind).toBe('unknown');
    expect(plan('rm -rf node_modules').kind).toBe('unknown');
    expect(plan('apt-get install chromium nginx').kind).toBe('apt');
    expect(plan('apt-get install chromium cowsay').kind).toBe('unknown');
  });
});

// ───── Running them ─────

type Finally = TestContext['onTestFinished'];
type Ran = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
type Running = { done: Promise<Ran>; stdout: () => string; interrupt: () => void };

async function sandbox(onTestFinished: Finally): Promise<{ env: NodeJS.ProcessEnv; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-readme-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  // Nothing of the real user: a temp home and data directory, no browser, no API key.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    BROWSER: 'none',
    npm_config_update_notifier: 'false',
  };
  return { env, dir };
}

/**
 * One command through sh, in its own process group so that it can be stopped as Ctrl-C stops it.
 * `exec`: the status is the command's own, not that of a shell that Ctrl-C also reached.
 */
function sh(command: string, env: NodeJS.ProcessEnv, onTestFinished: Finally): Running {
  // `npx sluice` must run this checkout's bin or fail, never fetch a package of that name.
  const local = command.replace(/^npx (?!--no\b)/, 'npx --no ');
  const child = spawn('sh', ['-c', `exec ${local}`], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const group = -(child.pid ?? 0);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const done = new Promise<Ran>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(group, signal);
    } catch {
      // The group is gone.
    }
  };
  onTestFinished(async () => {
    kill('SIGKILL');
    await done;
  });
  return { done, stdout: () => stdout, interrupt: () => kill('SIGINT') };
}

const shown = (r: Ran) => `exit ${r.code ?? r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

async function waitFor<T>(what: string, run: Running, probe: () => T | null | undefined): Promise<T> {
  const deadline = Date.now() + 25_000;
  const state = { exited: false };
  void run.done.then(() => (state.exited = true));
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined) return value;
    if (state.exited || Date.now() > deadline) throw new Error(`no ${what}:\n${shown(await run.done)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The simulated provider's timing unless the command sets its own: no wait, 1 ms per token. The
 * flags go on the sluice command itself, before any pipe.
 */
function fast(command: string): string {
  const [head = '', ...piped] = command.split(' | ');
  const flags = (/ --ttft\b/.test(head) ? '' : ' --ttft 0') + (/ --tpot\b/.test(head) ? '' : ' --tpot 1');
  return [head + flags, ...piped].join(' | ');
}

/** A `--replay FILE` names a recorded stream the reader would have: here, a real recorded one. */
async function withRecording(command: string, dir: string): Promise<string> {
  const named = / --replay (\S+)/.exec(command)?.[1];
  if (!named) return command;
  const path = join(dir, basename(named));
  await copyFile(join(FIXTURES, 'basic_response.sse'), path);
  return command.replace(` --replay ${named}`, ` --replay ${path}`);
}

const TOKEN_URL = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)/;
const ANY_URL = /http:\/\/127\.0\.0\.1:\d+/;
const hasCurl = spawnSync('sh', ['-c', 'command -v curl'], { stdio: 'ignore' }).status === 0;
if (!hasCurl) console.log('readme: curl is not installed, so the curl example is skipped.');

/** A real `sluice serve` on a free port, for the curl examples: its port, token and auth headers. */
async function realServe(onTestFinished: Parameters<typeof sandbox>[0]) {
  const { env, dir } = await sandbox(onTestFinished);
  const server = sh(
    `node --import tsx src/main/cli.ts serve --no-build --port 0 --data-dir ${join(dir, 'serve-data')}`,
    env,
    onTestFinished,
  );
  const [, port, token] = await waitFor('URL', server, () => TOKEN_URL.exec(server.stdout()));
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return { env, port, token, auth };
}

describe.skipIf(process.platform === 'win32').concurrent('the README commands, run', () => {
  for (const command of COMMANDS) {
    const p = plan(command);
    if (p.kind === 'run') {
      const chat = p.args.startsWith('chat');
      test(command, async ({ onTestFinished }) => {
        const { env, dir } = await sandbox(onTestFinished);
        const line = chat ? fast(await withRecording(command, dir)) : command;
        const r = await sh(line, env, onTestFinished).done;
        expect(r.code, shown(r)).toBe(0);
        if (!chat) expect(r.stdout, shown(r)).toContain('Usage');
        else if (/ --json\b/.test(p.args)) {
          const last = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null') as unknown;
          expect(last, shown(r)).toMatchObject({ type: 'result', outcome: 'complete' });
        } else expect(r.stdout, shown(r)).toMatch(/outcome complete/);
      });
    } else if (p.kind === 'server') {
      const serve = p.args.startsWith('serve');
      test(command, async ({ onTestFinished }) => {
        const { env, dir } = await sandbox(onTestFinished);
        // serve: a temp data directory and a free port, and the renderer as it is (no build here).
        const run = sh(
          serve
            ? `${withoutOptional(command)} --no-build --port 0 --data-dir ${join(dir, 'serve-data')}`
            : withoutOptional(command),
          env,
          onTestFinished,
        );
        const url = await waitFor('URL', run, () => (serve ? TOKEN_URL : ANY_URL).exec(run.stdout())?.[0]);
        const res = await fetch(url);
        expect(res.status).toBeGreaterThanOrEqual(200);
        run.interrupt();
        const r = await run.done;
        // Ctrl-C ends npm run as it ends any interrupted command: by SIGINT, once its script has.
        expect(r.code === 0 || r.signal === 'SIGINT', shown(r)).toBe(true);
        expect(r.stderr, shown(r)).not.toMatch(/npm error|Error:/);
        if (serve) expect(r.stderr, shown(r)).toContain('Sluice serve stopped.');
      });
    } else if (p.kind === 'curl') {
      test.skipIf(!hasCurl)(`${command} (against a real sluice serve)`, async ({ onTestFinished }) => {
        const { env, port, token, auth } = await realServe(onTestFinished);
        const patched = await fetch(`http://127.0.0.1:${port}/api/settings`, {
          method: 'PATCH',
          headers: auth,
          body: JSON.stringify({ sim: { ttftMs: 0, tpotMs: 1 } }),
        });
        expect(patched.status).toBe(200);
        const r = await sh(command.replace(/\bPORT\b/g, port ?? ''), { ...env, TOKEN: token }, onTestFinished)
          .done;
        expect(r.code, shown(r)).toBe(0);
        expect(r.stdout, shown(r)).toContain('"type":"turn_start"');
        expect(r.stdout, shown(r)).toMatch(/"type":"terminal"[^\n]*"outcome":"complete"/);
      });
    } else if (p.kind === 'curl-attach') {
      test.skipIf(!hasCurl)(`${command} (a dropped turn, re-attached)`, async ({ onTestFinished }) => {
        const { env, port, token, auth } = await realServe(onTestFinished);
        const base = `http://127.0.0.1:${port}`;
        const patched = await fetch(`${base}/api/settings`, {
          method: 'PATCH',
          headers: auth,
          body: JSON.stringify({ sim: { ttftMs: 0, tpotMs: 15 } }),
        });
        expect(patched.status).toBe(200);
        // A client that had events up to 41, then dropped: the turn waits for it (the grace period).
        const cut = new AbortController();
        const started = await fetch(`${base}/api/turns`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ action: 'send', conversationId: null, text: 'tell me about rivers' }),
          signal: cut.signal,
        });
        let raw = '';
        const decoder = new TextDecoder();
        try {
          for await (const chunk of started.body ?? []) {
            raw += decoder.decode(chunk, { stream: true });
            if (/^id: \w+\.41$/m.test(raw)) cut.abort();
          }
        } catch {
          // The cut.
        }
        const turnId = /"turnId":"([^"]+)"/.exec(raw)?.[1] ?? '';
        const line = command.replace(/\bPORT\b/g, port ?? '').replace('/turns/ID/', `/turns/${turnId}/`);
        const r = await sh(line, { ...env, TOKEN: token }, onTestFinished).done;
        expect(r.code, shown(r)).toBe(0);
        // Resumed after event 41: the next is 42, with the same id it would have had, then on to the end.
        expect(r.stdout.startsWith(`id: ${turnId.slice(0, 8)}.42\n`), shown(r)).toBe(true);
        expect(r.stdout, shown(r)).toMatch(/"type":"terminal"[^\n]*"outcome":"complete"/);
      });
    }
  }
});
