// `sluice serve`: the relay as a local streaming endpoint, with the browser twin of the desktop UI.
// Decisions: the port defaults to 0 (a free one; the printed URL changes every run anyway, because
// the token does). The token guards the API only, sent as a header; the page and its assets are
// public app code, so a reload without `?token=` still loads (the page keeps the token in
// sessionStorage). Data lives in the platform's user data directory unless --data-dir says otherwise;
// the serve holds that directory's lock while it runs (one writer: `store/lock.ts`).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatService } from '../chat/service';
import { McpManager } from '../mcp/manager';
import { MCP_FILE } from '../mcp/config';
import { DEFAULT_SETTINGS } from '../../shared/protocol';
import { EmbeddedSimulator, envKeySource } from '../chat/target';
import { formatLogLine } from '../providers/simulated';
import { defaultDataDir } from '../store/data-dir';
import { DataDirLockedError, lockDataDir, type DataDirLock } from '../store/lock';
import { openInBrowser } from '../server/open-browser';
import { buildRenderer, RendererBuildError, rendererBuildState } from '../server/renderer-build';
import { NginxRouter } from '../proxy/route';
import { startServer } from '../server/server';
import { ConversationStore } from '../store/conversations';
import { SettingsStore } from '../store/settings';

export type ServeCommand = {
  port: number;
  /** Only ever something other than 127.0.0.1 when the user passed --host. */
  host: string;
  dataDir: string | null;
  open: boolean;
  /** Build the renderer first when it is missing or stale. */
  build: boolean;
  /** MCP servers from this file instead of mcp.json in the data directory. */
  mcpConfig?: string | null;
  /** Let the page add stdio MCP servers (otherwise only the config file can). */
  allowPageStdio?: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Resolves on SIGINT/SIGTERM (the caller wires them); runServe adds SIGHUP itself. */
  stopped: Promise<void>;
};

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function runServe(cmd: ServeCommand): Promise<number> {
  if (cmd.build) {
    const state = await rendererBuildState(REPO_ROOT);
    if (state.state !== 'fresh') {
      cmd.err.write('Building the renderer…\n');
      try {
        await buildRenderer(REPO_ROOT);
      } catch (err) {
        if (!(err instanceof RendererBuildError)) throw err;
        if (state.state === 'missing') {
          cmd.err.write(`sluice serve: ${err.message}\n`);
          return 1;
        }
        cmd.err.write(`${err.message}\nServing the previous build of the renderer instead.\n`);
      }
    }
  }
  const dataDir = cmd.dataDir ?? defaultDataDir(process.platform, cmd.env);
  let lock: DataDirLock;
  try {
    lock = await lockDataDir(dataDir, 'serve');
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    // `npm start` (serve --open) on a directory another serve already has: open that one.
    if (cmd.open && err.owner.url) {
      cmd.err.write(
        `Sluice is already serving ${dataDir} (pid ${err.owner.pid}); opening it instead of starting another.\n`,
      );
      const note = await openInBrowser(err.owner.url, process.platform, cmd.env);
      if (note) cmd.err.write(`${note}\n`);
      return 0;
    }
    cmd.err.write(`sluice serve: ${err.message}\n`);
    return 1;
  }
  try {
    return await serveLocked(cmd, dataDir, lock);
  } finally {
    await lock.release();
  }
}

async function serveLocked(cmd: ServeCommand, dataDir: string, lock: DataDirLock): Promise<number> {
  const conversations = new ConversationStore(dataDir);
  const keys = envKeySource(cmd.env);
  const settings = new SettingsStore(dataDir, {
    ...DEFAULT_SETTINGS,
    provider: keys.get() ? 'anthropic' : 'simulated',
  });
  await settings.get();
  if (settings.warning) cmd.err.write(`${settings.warning}\n`);
  const simulator = new EmbeddedSimulator({
    log: (entry) => cmd.err.write(`[simulated provider] ${formatLogLine(entry, false)}\n`),
  });
  const mcp = new McpManager({
    settings: () => settings.get(),
    file: cmd.mcpConfig ?? join(dataDir, MCP_FILE),
    pageMayAddStdio: cmd.allowPageStdio ?? false,
  });
  const service = new ChatService({
    conversations,
    settings,
    keys,
    simulator,
    env: cmd.env,
    router: new NginxRouter(),
    mcp,
  });
  const server = await startServer({
    service,
    conversations,
    settings,
    staticDir: join(REPO_ROOT, 'out', 'renderer'),
    host: cmd.host,
    port: cmd.port,
    onTurnEnd: (t) =>
      cmd.err.write(
        `[turn ${t.turnId.slice(0, 8)}] ${t.outcome}${t.clientClosed ? ' (the client went away)' : ''}\n`,
      ),
    onError: (err) =>
      cmd.err.write(`sluice serve: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`),
  });

  if (!LOOPBACK.has(cmd.host)) {
    cmd.err.write(
      `Warning: listening on ${cmd.host}, not only on this machine. Anyone who can reach it and has the URL can chat with your API key.\n`,
    );
  }
  await lock.update({ url: server.url });
  cmd.out.write(`${server.url}\n`);
  cmd.err.write(`Sluice is serving the chat UI and its API. Data: ${dataDir}. Ctrl-C to stop.\n`);
  if (cmd.open) {
    const note = await openInBrowser(server.url, process.platform, cmd.env);
    if (note) cmd.err.write(`${note}\n`);
  }

  // A hangup (the terminal closed; `npm start` relays it) stops the server as SIGINT and SIGTERM
  // do. Its listener stays until the server is closed: while it is there, the nginx guard leaves
  // the exit to this code instead of raising the signal again.
  const hangup = signalled('SIGHUP');
  try {
    await Promise.race([cmd.stopped, hangup.promise]);
    await server.close();
    await service.close();
  } finally {
    hangup.dispose();
  }
  cmd.err.write('Sluice serve stopped.\n');
  return 0;
}

/** Resolves on the first `signal`; `dispose` removes the listener. */
function signalled(signal: NodeJS.Signals): { promise: Promise<void>; dispose: () => void } {
  let listener: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (listener = resolve));
  process.on(signal, listener);
  return { promise, dispose: () => process.off(signal, listener) };
}
