// `sluice` — the relay in a terminal. Plain Node: runs with `npm run sluice -- <command>`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NGINX_PROFILES, type NginxProfile, type Settings, type SettingsPatch } from '../shared/protocol';
import { runChat } from './cli/chat';
import { proxyCheck as runProxyCheck } from './cli/proxy-check';
import { runServe } from './cli/serve';
import { formatLogLine, startSimulatedProvider } from './providers/simulated';

const USAGE = `Usage: npm run sluice -- <command> [options]

Commands:
  chat "prompt"      One turn, streamed to the terminal, with a metrics footer.
      --model M        Model (Anthropic) or scenario (simulated: sim-text, sim-tool, sim-reasoning, …)
      --json           One JSON object per relay event, then a result line
      --max-tokens N   Max output tokens (default 4096)
      --thinking N     Enable extended thinking with a budget of N tokens
      --idle-timeout S Seconds of upstream silence before the turn is ended as stalled (default 30)
      --ttft MS        Simulated provider: time to first token (default 400)
      --tpot MS        Simulated provider: time per output token (default 25)
      --via-nginx P    Route through a local nginx: buffered, buffered-gzip, streaming, header-cure
  serve              The chat UI in a browser and its streaming API, on 127.0.0.1. Prints one URL
                     with a per-run access token (open it; the API needs the token).
      --port N         Port (default 0: a free port; the URL changes every run anyway)
      --data-dir DIR   Where conversations and settings live (default: the user data directory)
      --open           Open the URL in the default browser
      --host ADDR      Listen on ADDR instead of 127.0.0.1 (exposes your API key's use; prints a warning)
      --no-build       Serve out/renderer as it is, even when missing or older than its sources
  proxy-check        Capture one scripted stream direct and through a real nginx configured each way;
                     writes report.md, report.json and timeline.svg.
      --out DIR        Where to write them (default ./proxy-check)
      --nginx PATH     The nginx binary (default: found on PATH)
  simulate           Run the simulated provider alone.
      --port N         Port on 127.0.0.1 (default 0: a free port)
      --json-log       Log each finished request as a JSON object
      --replay-dir DIR Folder of .sse files the sim-replay model may replay (x-sluice-sim-replay: FILE)
      --accel-buffering-no  Send X-Accel-Buffering: no on streams (the nginx header cure)

Environment:
  ANTHROPIC_API_KEY   Use the real Anthropic API (otherwise the simulated provider is used)
  ANTHROPIC_BASE_URL  Any endpoint that speaks the Messages API
`;

class UsageError extends Error {}

type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

function parse(args: string[], options: ParseArgsConfig['options']): Parsed {
  try {
    return parseArgs({ args, options: options ?? {}, allowPositionals: true, strict: true }) as Parsed;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function int(name: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} takes a whole number, not "${value}".`);
  return n;
}

async function chat(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    model: { type: 'string' },
    json: { type: 'boolean', default: false },
    'max-tokens': { type: 'string' },
    thinking: { type: 'string' },
    'idle-timeout': { type: 'string' },
    ttft: { type: 'string' },
    tpot: { type: 'string' },
    'via-nginx': { type: 'string' },
  });
  const prompt = positionals.join(' ').trim();
  if (!prompt) throw new UsageError('chat needs a prompt, e.g. npm run sluice -- chat "hello"');
  const useReal = Boolean(process.env['ANTHROPIC_API_KEY']);
  const model = values.model as string | undefined;
  const settings: SettingsPatch = {};
  if (model) {
    if (useReal) settings.model = model;
    else settings.sim = { ...settings.sim, scenario: model as Settings['sim']['scenario'] };
  }
  const maxTokens = int('max-tokens', values['max-tokens']);
  if (maxTokens !== undefined) settings.maxTokens = maxTokens;
  const thinking = int('thinking', values.thinking);
  if (thinking !== undefined) settings.thinking = { enabled: true, budgetTokens: thinking };
  const idle = int('idle-timeout', values['idle-timeout']);
  if (idle !== undefined) settings.idleTimeoutMs = idle * 1000;
  const via = values['via-nginx'];
  if (typeof via === 'string') {
    if (!(NGINX_PROFILES as readonly string[]).includes(via)) {
      throw new UsageError(`--via-nginx takes one of ${NGINX_PROFILES.join(', ')}, not "${via}".`);
    }
    settings.viaNginx = via as NginxProfile;
  }
  const ttft = int('ttft', values.ttft);
  const tpot = int('tpot', values.tpot);
  if (ttft !== undefined) settings.sim = { ...settings.sim, ttftMs: ttft };
  if (tpot !== undefined) settings.sim = { ...settings.sim, tpotMs: tpot };

  const interruptHandlers: (() => void)[] = [];
  process.on('SIGINT', () => interruptHandlers.forEach((h) => h()));
  return runChat({
    prompt,
    json: Boolean(values.json),
    settings,
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    onInterrupt: (h) => interruptHandlers.push(h),
  });
}

async function simulate(args: string[]): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string' },
    'json-log': { type: 'boolean', default: false },
    'replay-dir': { type: 'string' },
    'accel-buffering-no': { type: 'boolean', default: false },
  });
  const port = int('port', values.port) ?? 0;
  const replayDir = typeof values['replay-dir'] === 'string' ? values['replay-dir'] : undefined;
  if (port < 0 || port > 65535) throw new UsageError('--port must be between 0 and 65535.');
  const json = Boolean(values['json-log']);
  const sim = await startSimulatedProvider({
    port,
    ...(replayDir ? { replayDir } : {}),
    accelBufferingNo: Boolean(values['accel-buffering-no']),
    log: (entry) => process.stdout.write(`${formatLogLine(entry, json)}\n`),
  });
  process.stdout.write(`${sim.url}\n`);
  if (!json)
    process.stderr.write(
      'Simulated Anthropic Messages API. Scenarios are chosen by model name. Ctrl-C to stop.\n',
    );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

async function serve(args: string[]): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    open: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  });
  const port = int('port', values.port) ?? 0;
  if (port < 0 || port > 65535) throw new UsageError('--port must be between 0 and 65535.');
  const host = values.host;
  if (host !== undefined && (typeof host !== 'string' || !host.trim())) {
    throw new UsageError('--host needs an address.');
  }
  if (host === '0.0.0.0' || host === '::') {
    // Requests must name the server by the address it listens on (the Host check), so a wildcard serves no one.
    throw new UsageError(
      `--host needs this machine's address as clients will use it, not the wildcard ${host}.`,
    );
  }
  const stopped = new Promise<void>((resolve) => {
    let signals = 0;
    const stop = () => {
      signals += 1;
      if (signals > 1) process.exit(130);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return runServe({
    port,
    host: typeof host === 'string' ? host.trim() : '127.0.0.1',
    dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : null,
    open: Boolean(values.open),
    build: !values['no-build'],
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    stopped,
  });
}

async function proxyCheck(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' }, nginx: { type: 'string' } });
  const nginx = typeof values.nginx === 'string' ? values.nginx : undefined;
  try {
    return await runProxyCheck({
      out: typeof values.out === 'string' ? values.out : 'proxy-check',
      ...(nginx ? { nginxPath: nginx } : {}),
      log: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (err) {
    process.stderr.write(`sluice proxy-check: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  chat,
  serve,
  simulate,
  'proxy-check': proxyCheck,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`sluice: unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sluice ${command}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`sluice: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
