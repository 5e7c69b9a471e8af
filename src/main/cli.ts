// `sluice` — the relay in a terminal. Plain Node: `npm run -s sluice -- <command>` or `npx sluice <command>`.
// Every argument error is one line that names the option and says what to do, a pointer to the
// command's help, and exit code 2.
import { randomUUID } from 'node:crypto';
import { access, constants, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import {
  NGINX_PROFILES,
  SIM_SCENARIOS,
  type NginxProfile,
  type ProviderConfig,
  type SettingsPatch,
} from '../shared/protocol';
import { OPENAI_PRESETS, PRESETS, type OpenAIPreset } from '../shared/providers';
import { fileAttachment, type FileAttachment } from '../shared/attachments';
import { runChat, runModels } from './cli/chat';
import { proxyCheck as runProxyCheck } from './cli/proxy-check';
import { runServe } from './cli/serve';
import { formatLogLine, startSimulatedProvider } from './providers/simulated';
import { InvalidSettingsError } from './store/settings';

/** How the README tells people to run it; `npx sluice` works the same from the checkout. */
const RUN = 'npm run -s sluice --';

type Option = {
  type: 'string' | 'boolean';
  /** The value's name in the usage (`--port N`); string options only. */
  arg?: string;
  help: string;
  /** A value to show when the option is given without one. */
  example?: string;
};

type Command = {
  /** What follows the command name in the usage line. */
  synopsis: string;
  about: string[];
  options: Record<string, Option>;
  run(args: Args): Promise<number>;
};

/** Validated arguments: every string option given has a string, every boolean option given is true. */
type Args = {
  values: Record<string, string | true | undefined>;
  positionals: string[];
  options: Record<string, Option>;
};

class UsageError extends Error {}

const SIM_MODELS = [...SIM_SCENARIOS, 'sim-replay (with --replay FILE.sse)'];

const PROVIDER_NAMES = ['simulated', 'anthropic', ...OPENAI_PRESETS.filter((p) => p !== 'custom')];

const PROVIDER_OPTIONS: Record<string, Option> = {
  provider: {
    type: 'string',
    arg: 'P',
    help: `${PROVIDER_NAMES.join(', ')} (default: anthropic with ANTHROPIC_API_KEY, else simulated)`,
    example: 'ollama',
  },
  'base-url': {
    type: 'string',
    arg: 'URL',
    help: "The provider's address (OpenAI-compatible: ending in /v1), instead of its preset's",
    example: 'http://127.0.0.1:11434/v1',
  },
};

const CHAT_OPTIONS: Record<string, Option> = {
  model: {
    type: 'string',
    arg: 'M',
    help: "Model, or the simulated provider's scenario (sim-text, sim-tool, sim-reasoning, …)",
    example: 'sim-tool',
  },
  ...PROVIDER_OPTIONS,
  json: { type: 'boolean', help: 'One JSON object per relay event, then a result line' },
  'max-tokens': { type: 'string', arg: 'N', help: 'Max output tokens (default 4096)', example: '4096' },
  system: {
    type: 'string',
    arg: 'TEXT',
    help: 'The system prompt the model is given (default: none)',
    example: 'Answer in one sentence.',
  },
  thinking: {
    type: 'string',
    arg: 'N',
    help: 'Enable extended thinking with a budget of N tokens',
    example: '2048',
  },
  'idle-timeout': {
    type: 'string',
    arg: 'S',
    help: 'Seconds of upstream silence before the turn is ended as stalled (default 30)',
    example: '30',
  },
  ttft: {
    type: 'string',
    arg: 'MS',
    help: 'Simulated provider: time to first token (default 400)',
    example: '400',
  },
  tpot: {
    type: 'string',
    arg: 'MS',
    help: 'Simulated provider: time per output token (default 25)',
    example: '25',
  },
  'via-nginx': {
    type: 'string',
    arg: 'P',
    help: `Route through a local nginx: ${NGINX_PROFILES.join(', ')}`,
    example: 'streaming',
  },
  replay: {
    type: 'string',
    arg: 'FILE',
    help: 'Simulated provider: replay this recorded .sse stream (the model sim-replay)',
    example: 'recorded.sse',
  },
  'mcp-config': {
    type: 'string',
    arg: 'FILE',
    help: 'Offer the tools of the MCP servers in FILE ({"mcpServers": …}); each call is asked on the terminal',
    example: 'mcp.json',
  },
  'approve-all': { type: 'boolean', help: 'Allow every MCP tool call without asking (for scripts)' },
  attach: {
    type: 'string',
    arg: 'FILE',
    help: 'Send this image (PNG, JPEG, GIF, WebP) or PDF with the prompt; its type is read from its bytes',
    example: 'photo.png',
  },
};

/** The option that set each settings field, so a refused value is named as it was typed. */
const SETTINGS_FLAGS: Record<string, string> = {
  model: 'model',
  maxTokens: 'max-tokens',
  systemPrompt: 'system',
  'thinking.budgetTokens': 'thinking',
  idleTimeoutMs: 'idle-timeout',
  'sim.ttftMs': 'ttft',
  'sim.tpotMs': 'tpot',
};

/** A whole number, or undefined when the option was not given. Ranges are the settings' to check. */
function int(args: Args, name: string): number | undefined {
  const value = args.values[name];
  if (typeof value !== 'string') return undefined;
  if (!/^-?\d+$/.test(value.trim())) {
    const example = args.options[name]?.example ?? '1';
    throw new UsageError(`--${name} takes a whole number, e.g. --${name} ${example}; "${value}" is not one.`);
  }
  return Number(value);
}

type ProviderChoice = { kind: 'simulated' | 'anthropic' } | { kind: 'openai'; config: ProviderConfig };

/**
 * The provider --provider and --base-url name: an OpenAI-compatible preset becomes a provider
 * config for this run (its key from the preset's variable); without --provider, the Anthropic API
 * when ANTHROPIC_API_KEY is set, else the simulated provider.
 */
function providerOf(args: Args, model: string | undefined, command: string): ProviderChoice {
  const given = args.values['provider'];
  const baseURL = typeof args.values['base-url'] === 'string' ? args.values['base-url'].trim() : undefined;
  if (given === undefined) {
    if (baseURL !== undefined)
      throw new UsageError(
        `--base-url needs --provider: e.g. --provider openai --base-url ${baseURL} (any OpenAI-compatible server), or set ANTHROPIC_BASE_URL for a Messages API server.`,
      );
    return { kind: process.env['ANTHROPIC_API_KEY'] ? 'anthropic' : 'simulated' };
  }
  const name = String(given).trim().toLowerCase();
  if (name === 'simulated' || name === 'anthropic') {
    if (baseURL !== undefined)
      throw new UsageError(
        name === 'anthropic'
          ? `--base-url is for OpenAI-compatible providers; for Anthropic set ANTHROPIC_BASE_URL=${baseURL}.`
          : '--base-url is for OpenAI-compatible providers; the simulated provider runs embedded.',
      );
    if (name === 'anthropic' && !process.env['ANTHROPIC_API_KEY'])
      throw new UsageError('--provider anthropic needs ANTHROPIC_API_KEY set to your API key.');
    return { kind: name };
  }
  const preset = OPENAI_PRESETS.find((p): p is OpenAIPreset => p === name && p !== 'custom');
  if (!preset)
    throw new UsageError(
      `--provider takes one of ${PROVIDER_NAMES.join(', ')}; "${String(given)}" is not one.`,
    );
  const info = PRESETS[preset];
  if (baseURL !== undefined && !(URL.canParse(baseURL) && /^https?:$/.test(new URL(baseURL).protocol)))
    throw new UsageError(`--base-url ${baseURL}: give an http:// or https:// address, e.g. ${info.baseURL}.`);
  if (command === 'chat' && model === undefined)
    throw new UsageError(
      `--provider ${preset} needs --model M (e.g. --model ${info.exampleModel}); ${RUN} models --provider ${preset}${baseURL ? ` --base-url ${baseURL}` : ''} lists them.`,
    );
  if (info.needsKey && !process.env[info.keyEnv ?? ''] && baseURL === undefined)
    throw new UsageError(`--provider ${preset} needs ${info.keyEnv} set to your ${info.name} API key.`);
  return {
    kind: 'openai',
    config: { id: preset, preset, name: info.name, baseURL: baseURL ?? info.baseURL, model: model ?? '' },
  };
}

/** `--attach FILE` as an attachment, or a UsageError that says why it cannot be one. */
async function attachmentOf(path: string): Promise<FileAttachment> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UsageError(`--attach ${path}: no readable file there. Give the path of an image or a PDF.`);
  }
  const data = bytes.toString('base64');
  const attached = fileAttachment(
    { id: randomUUID(), name: basename(path), size: bytes.length, data },
    bytes.subarray(0, 16),
  );
  if ('problem' in attached) throw new UsageError(`--attach ${path}: ${attached.problem}`);
  return attached;
}

async function chat(args: Args): Promise<number> {
  const { values, positionals } = args;
  const prompt = positionals.join(' ').trim();
  if (!prompt) {
    throw new UsageError(`no prompt given. Put it after chat, in quotes: ${RUN} chat "hello".`);
  }
  const model = typeof values['model'] === 'string' ? values['model'].trim() : undefined;
  const replay = typeof values['replay'] === 'string' ? values['replay'] : undefined;
  const choice = providerOf(args, model, 'chat');
  if (replay !== undefined && choice.kind !== 'simulated' && values['provider'] !== undefined)
    throw new UsageError(
      `--replay plays a recorded stream on the simulated provider; drop --provider ${String(values['provider'])}.`,
    );
  const useReal = choice.kind === 'anthropic';
  const settings: SettingsPatch = {};
  if (choice.kind === 'openai') {
    settings.providers = [choice.config];
    settings.provider = choice.config.id;
  } else if (replay === undefined) settings.provider = choice.kind;
  if (choice.kind === 'openai') {
    // The model went into the provider's config.
  } else if (replay !== undefined) {
    if (model !== undefined && model !== 'sim-replay') {
      throw new UsageError(
        `--replay plays a recorded stream as the model sim-replay, not --model ${model}; drop one of the two.`,
      );
    }
    try {
      await access(replay, constants.R_OK);
    } catch {
      throw new UsageError(
        `--replay ${replay}: no readable file there. Give the path of a recorded .sse stream.`,
      );
    }
  } else if (model === 'sim-replay') {
    throw new UsageError(
      `--model sim-replay replays a recorded stream: add --replay FILE.sse (the body of a streamed Messages API answer).`,
    );
  } else if (model !== undefined && useReal) {
    settings.model = model;
  } else if (model !== undefined) {
    const scenario = SIM_SCENARIOS.find((s) => s === model);
    if (!scenario) {
      throw new UsageError(
        `--model ${model}: ${values['provider'] === undefined ? 'with no ANTHROPIC_API_KEY, Sluice runs the simulated provider' : 'the simulated provider'}, whose models are ` +
          `${SIM_MODELS.join(', ')}; a real model name (claude-…) needs ANTHROPIC_API_KEY, another provider's needs --provider.`,
      );
    }
    settings.sim = { scenario };
  }
  const maxTokens = int(args, 'max-tokens');
  if (maxTokens !== undefined) settings.maxTokens = maxTokens;
  const system = values['system'];
  if (typeof system === 'string') settings.systemPrompt = system;
  const thinking = int(args, 'thinking');
  if (thinking !== undefined) settings.thinking = { enabled: true, budgetTokens: thinking };
  const idle = int(args, 'idle-timeout');
  if (idle !== undefined) settings.idleTimeoutMs = idle * 1000;
  const via = values['via-nginx'];
  if (typeof via === 'string') {
    const profile = NGINX_PROFILES.find((p) => p === via);
    if (!profile) {
      throw new UsageError(`--via-nginx takes one of ${NGINX_PROFILES.join(', ')}; "${via}" is not one.`);
    }
    settings.viaNginx = profile satisfies NginxProfile;
  }
  const ttft = int(args, 'ttft');
  const tpot = int(args, 'tpot');
  if (ttft !== undefined) settings.sim = { ...settings.sim, ttftMs: ttft };
  if (tpot !== undefined) settings.sim = { ...settings.sim, tpotMs: tpot };

  const interruptHandlers: (() => void)[] = [];
  process.on('SIGINT', () => interruptHandlers.forEach((h) => h()));
  // A reader that goes away (`| head`, a closed pipe) stops the turn as Ctrl-C does, not with a crash.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    interruptHandlers.forEach((h) => h());
  });
  const attachments = typeof values['attach'] === 'string' ? [await attachmentOf(values['attach'])] : [];
  try {
    return await runChat({
      prompt,
      attachments,
      json: Boolean(values['json']),
      settings,
      mcpConfig: typeof values['mcp-config'] === 'string' ? values['mcp-config'] : null,
      approveAll: Boolean(values['approve-all']),
      ...(replay !== undefined ? { replay } : {}),
      out: process.stdout,
      err: process.stderr,
      env: process.env,
      onInterrupt: (h) => interruptHandlers.push(h),
    });
  } catch (err) {
    if (!(err instanceof InvalidSettingsError)) throw err;
    const lines = err.issues.map((issue) => {
      const flag = SETTINGS_FLAGS[issue.path];
      const given = flag ? values[flag] : undefined;
      if (!flag || typeof given !== 'string') return `${issue.path}: ${issue.message}`;
      const more =
        flag === 'thinking' && maxTokens === undefined && /max tokens/.test(issue.message)
          ? ' Raise --max-tokens (default 4096) as well.'
          : '';
      return `--${flag} ${given}: ${issue.message}${more}`;
    });
    throw new UsageError(lines.join(`\nsluice chat: `));
  }
}

async function models(args: Args): Promise<number> {
  const choice = providerOf(args, undefined, 'models');
  // A reader that goes away (`| head`) has all it wanted.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  return runModels({
    provider: choice.kind === 'openai' ? choice.config : choice.kind,
    json: Boolean(args.values['json']),
    out: process.stdout,
    err: process.stderr,
    env: process.env,
  });
}

function port(args: Args): number {
  const n = int(args, 'port') ?? 0;
  if (n < 0 || n > 65535)
    throw new UsageError(`--port ${n}: a port is a number from 0 to 65535 (0: a free one).`);
  return n;
}

async function simulate(args: Args): Promise<number> {
  const { values } = args;
  const replayDir = typeof values['replay-dir'] === 'string' ? values['replay-dir'] : undefined;
  const json = Boolean(values['json-log']);
  const sim = await startSimulatedProvider({
    port: port(args),
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

async function serve(args: Args): Promise<number> {
  const { values } = args;
  const listen = port(args);
  const host = values['host'];
  if (typeof host === 'string' && !host.trim()) {
    throw new UsageError('--host needs an address, e.g. --host 192.168.1.20.');
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
    port: listen,
    host: typeof host === 'string' ? host.trim() : '127.0.0.1',
    dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : null,
    open: Boolean(values['open']),
    build: !values['no-build'],
    mcpConfig: typeof values['mcp-config'] === 'string' ? values['mcp-config'] : null,
    allowPageStdio: Boolean(values['allow-page-stdio']),
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    stopped,
  });
}

async function proxyCheck(args: Args): Promise<number> {
  const { values } = args;
  const nginx = typeof values['nginx'] === 'string' ? values['nginx'] : undefined;
  try {
    return await runProxyCheck({
      out: typeof values['out'] === 'string' ? values['out'] : 'proxy-check',
      ...(nginx ? { nginxPath: nginx } : {}),
      log: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (err) {
    process.stderr.write(`sluice proxy-check: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const PORT: Option = { type: 'string', arg: 'N', help: '', example: '8080' };

const COMMANDS: Record<string, Command> = {
  chat: {
    synopsis: '"prompt" [options]',
    about: ['One turn, streamed to the terminal, with a metrics footer.'],
    options: CHAT_OPTIONS,
    run: chat,
  },
  models: {
    synopsis: '[options]',
    about: ["The provider's models (GET /models), one id per line."],
    options: {
      ...PROVIDER_OPTIONS,
      json: { type: 'boolean', help: 'One JSON object: {provider, models: [{id, name?, createdAt?}]}' },
    },
    run: models,
  },
  serve: {
    synopsis: '[options]',
    about: [
      'The chat UI in a browser and its streaming API, on 127.0.0.1. Prints one URL',
      'with a per-run access token (open it; the API needs the token).',
    ],
    options: {
      port: { ...PORT, help: 'Port (default 0: a free port; the URL changes every run anyway)' },
      'data-dir': {
        type: 'string',
        arg: 'DIR',
        help: 'Where conversations and settings live (default: the user data directory)',
        example: './data',
      },
      open: { type: 'boolean', help: 'Open the URL in the default browser' },
      host: {
        type: 'string',
        arg: 'ADDR',
        help: "Listen on ADDR instead of 127.0.0.1 (exposes your API key's use; prints a warning)",
        example: '192.168.1.20',
      },
      'no-build': {
        type: 'boolean',
        help: 'Serve out/renderer as it is, even when missing or older than its sources',
      },
      'mcp-config': {
        type: 'string',
        arg: 'FILE',
        help: 'MCP servers from FILE ({"mcpServers": …}) instead of mcp.json in the data directory',
        example: 'mcp.json',
      },
      'allow-page-stdio': {
        type: 'boolean',
        help: 'Let the page add stdio MCP servers (commands); otherwise only the config file can',
      },
    },
    run: serve,
  },
  'proxy-check': {
    synopsis: '[options]',
    about: [
      'Capture one scripted stream direct and through a real nginx configured each way;',
      'writes report.md, report.json and timeline.svg.',
    ],
    options: {
      out: {
        type: 'string',
        arg: 'DIR',
        help: 'Where to write them (default ./proxy-check)',
        example: './report',
      },
      nginx: {
        type: 'string',
        arg: 'PATH',
        help: 'The nginx binary (default: found on PATH)',
        example: '/usr/sbin/nginx',
      },
    },
    run: proxyCheck,
  },
  simulate: {
    synopsis: '[options]',
    about: ['Run the simulated provider alone.'],
    options: {
      port: { ...PORT, help: 'Port on 127.0.0.1 (default 0: a free port)' },
      'json-log': { type: 'boolean', help: 'Log each finished request as a JSON object' },
      'replay-dir': {
        type: 'string',
        arg: 'DIR',
        help: 'Folder of .sse files the sim-replay model may replay (x-sluice-sim-replay: FILE)',
        example: './recorded',
      },
      'accel-buffering-no': {
        type: 'boolean',
        help: 'Send X-Accel-Buffering: no on streams (the nginx header cure)',
      },
    },
    run: simulate,
  },
};

function commandUsage(name: string, command: Command): string {
  const options = Object.entries(command.options).map(([option, o]) => {
    const left = `--${option}${o.arg ? ` ${o.arg}` : ''}`;
    return `      ${left.length > 16 ? `${left} ` : left.padEnd(16)} ${o.help}`;
  });
  const title = `${name} ${command.synopsis.replace('[options]', '')}`.trim();
  return [
    `  ${title.padEnd(18)} ${command.about[0] ?? ''}`,
    ...command.about.slice(1).map((l) => `${' '.repeat(21)}${l}`),
    ...options,
  ].join('\n');
}

const ENVIRONMENT = `Environment:
  ANTHROPIC_API_KEY   Use the real Anthropic API (otherwise the simulated provider is used)
  ANTHROPIC_BASE_URL  Any endpoint that speaks the Messages API
  OPENAI_API_KEY, OPENROUTER_API_KEY, DEEPSEEK_API_KEY
                      The key for --provider openai, openrouter, deepseek
`;

const USAGE = `Usage: ${RUN} <command> [options]
   or: npx sluice <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => commandUsage(name, c))
  .join('\n')}

${ENVIRONMENT}`;

const usageOf = (name: string, command: Command) =>
  `Usage: ${RUN} ${name} ${command.synopsis}\n\n${commandUsage(name, command)}\n\n${ENVIRONMENT}`;

/** Distance between two short strings, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** Reads `args` against `command`'s options; throws a UsageError naming the first bad option. */
function parse(name: string, command: Command, args: string[]): Args | 'help' {
  const { tokens } = parseArgs({
    args,
    options: Object.fromEntries(Object.entries(command.options).map(([k, o]) => [k, { type: o.type }])),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const values: Args['values'] = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    if (token.rawName === '--help' || token.rawName === '-h') return 'help';
    const known = token.rawName.startsWith('--') && Object.hasOwn(command.options, token.name);
    const option = known ? command.options[token.name] : undefined;
    if (!option) {
      const names = Object.keys(command.options);
      const near = token.rawName.startsWith('--')
        ? names
            .filter((o) => distance(token.name, o) <= Math.max(1, Math.floor(o.length / 3)))
            .sort((x, y) => distance(token.name, x) - distance(token.name, y))[0]
        : undefined;
      throw new UsageError(
        near
          ? `unknown option ${token.rawName}; did you mean --${near}?`
          : `unknown option ${token.rawName}; ${name} takes ${names.map((o) => `--${o}`).join(', ')}.`,
      );
    }
    if (option.type === 'boolean') {
      if (token.value !== undefined) {
        throw new UsageError(
          `${token.rawName} takes no value; write ${token.rawName} alone, not ${token.rawName}=${token.value}.`,
        );
      }
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    // Without `=`, a value that looks like another option (--model --json) is a missing value; a
    // negative number (--ttft -5) is a value, checked where it is used.
    if (value === undefined || !value.trim() || (!token.inlineValue && /^-(?!\d)/.test(value))) {
      throw new UsageError(
        `${token.rawName} needs a value, e.g. ${token.rawName} ${option.example ?? option.arg ?? 'VALUE'}.`,
      );
    }
    values[token.name] = value;
  }
  return { values, positionals, options: command.options };
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const names = Object.keys(COMMANDS);
    process.stderr.write(
      `sluice: unknown command "${name}"; the commands are ${names.join(', ')}.\n` +
        `Run "${RUN} --help" for what each does and its options.\n`,
    );
    return 2;
  }
  try {
    const args = parse(name, command, rest);
    if (args === 'help') {
      process.stdout.write(usageOf(name, command));
      return 0;
    }
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sluice ${name}: ${err.message}\nRun "${RUN} ${name} --help" for its options.\n`);
      return 2;
    }
    throw err;
  }
}

/**
 * Resolves once everything written to `stream` so far has been handed to the OS. process.exit does
 * not wait for a pipe whose reader is slower than us: without this, the tail of a long --json
 * result is lost.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const exit = async (code: number) => {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
};

main(process.argv.slice(2)).then(exit, (err: unknown) => {
  process.stderr.write(`sluice: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return exit(1);
});
