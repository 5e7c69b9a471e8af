// `sluice serve` in-process for tests: the real server, the real ChatService and the real
// simulated provider on loopback sockets, a temp data directory, and raw HTTP helpers that can
// send any header (fetch refuses to set Host).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { afterEach } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { McpManager } from '../../src/main/mcp/manager';
import { MCP_FILE } from '../../src/main/mcp/config';
import { EmbeddedSimulator, envKeySource, type KeySource } from '../../src/main/chat/target';
import type { SimLogEntry, SimTiming, SimWrite } from '../../src/main/providers/simulated';
import { startServer, type SluiceServer } from '../../src/main/server/server';
import { RENDERER_CSP } from '../../src/main/server/static';
import type { TurnReport } from '../../src/main/server/turns';
import { ConversationStore } from '../../src/main/store/conversations';
import { SettingsStore } from '../../src/main/store/settings';
import type { RelayEvent, SettingsPatch } from '../../src/shared/protocol';

export type Reply = { status: number; headers: IncomingHttpHeaders; text: string; json: unknown };

export type TestServe = {
  server: SluiceServer;
  service: ChatService;
  conversations: ConversationStore;
  settings: SettingsStore;
  dataDir: string;
  /** Every request the simulated provider finished, in end order. */
  simLog: SimLogEntry[];
  simWrites: SimWrite[];
  /** Headers of every request the pass-through proxy forwarded (only when simTokens or simHeaders is set). */
  upstreamHeaders: IncomingHttpHeaders[];
  /** The body of every request the pass-through proxy forwarded, as the relay sent it (same condition, same order). */
  upstreamBodies: Record<string, unknown>[];
  /** The entry of the next request to end that no earlier call returned. */
  nextSimEnd(): Promise<SimLogEntry>;
  reports: TurnReport[];
  /** The report of the next turn to end that no earlier call returned. */
  nextTurnEnd(): Promise<TurnReport>;
  /** A raw request to the server, authorised unless the headers say otherwise. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string | null>): Promise<Reply>;
  close(): Promise<void>;
};

export type TestServeOptions = {
  settings?: SettingsPatch;
  keys?: KeySource;
  env?: NodeJS.ProcessEnv;
  /** Ask the simulated provider for answers this many text deltas long, past what max_tokens allows. */
  simTokens?: number;
  /** More per-request knobs (SIM_HEADERS) on every provider request, added by a pass-through proxy. */
  simHeaders?: Record<string, string>;
  /** The simulator's timing for what no header sets (thinkingMs, say). */
  simDefaults?: Partial<SimTiming>;
  /** Send provider requests here instead (a raw upstream); simTokens and simHeaders still apply. */
  upstream?: string;
  /** The "anthropic" provider talks to the embedded simulator (ANTHROPIC_BASE_URL), key and all. */
  anthropicViaSimulator?: boolean;
  /** The built renderer to serve; default a stand-in page. */
  staticDir?: string;
  /** MCP servers from mcp.json in the data directory; `allowPageStdio` as `--allow-page-stdio`. */
  mcp?: { allowPageStdio?: boolean };
};

/** Hands out queued items in order, each to one waiter. */
function queue<T>() {
  const items: T[] = [];
  const waiters: ((item: T) => void)[] = [];
  let taken = 0;
  return {
    items,
    push(item: T) {
      items.push(item);
      const waiter = waiters.shift();
      if (waiter) waiter(items[taken++] as T);
    },
    next(): Promise<T> {
      if (taken < items.length) return Promise.resolve(items[taken++] as T);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

/** A stand-in for the built renderer: a page with the renderer's CSP meta, a script and a style. */
async function fakeRenderer(dir: string): Promise<void> {
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${RENDERER_CSP}" />` +
      '<script type="module" src="./assets/app.js"></script><link rel="stylesheet" href="./assets/app.css" /></head>' +
      '<body><div id="root"></div></body></html>\n',
  );
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log("sluice");\n');
  await writeFile(join(dir, 'assets', 'app.css'), 'body { margin: 0; }\n');
  // Named as a build names them, with their content's hash.
  await writeFile(join(dir, 'assets', 'index-YDIMp8Qn.js'), 'console.log("hashed");\n');
  await writeFile(join(dir, 'assets', 'index-C47_9Wgi.css'), 'body { padding: 0; }\n');
}

/**
 * A pass-through proxy between the relay and the provider that adds per-request knobs the settings
 * cannot set: SIM_HEADERS, and with `tokens` a longer answer than max_tokens allows
 * (x-sluice-sim-tokens, and max_tokens raised to match).
 */
async function passThroughProxy(
  target: string,
  knobs: { tokens?: number; headers?: Record<string, string> },
  seen: IncomingHttpHeaders[],
  bodies: Record<string, unknown>[],
) {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { max_tokens?: number };
      // Together, so upstreamHeaders[i] and upstreamBodies[i] are one request's.
      seen.push(req.headers);
      bodies.push(structuredClone(body));
      if (knobs.tokens) body.max_tokens = Math.max(body.max_tokens ?? 0, knobs.tokens);
      const text = JSON.stringify(body);
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: {
            ...req.headers,
            ...knobs.headers,
            host: upstream.host,
            'content-length': String(Buffer.byteLength(text)),
            ...(knobs.tokens ? { 'x-sluice-sim-tokens': String(knobs.tokens) } : {}),
          },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      // The relay closing its request must reach the provider as a closed connection too.
      res.on('close', () => {
        if (!res.writableFinished) out.destroy();
      });
      out.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    // The target's path stays (an OpenAI-compatible base URL such as …/ollama/v1).
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.pathname.replace(/\/$/, '')}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * For a test file: returns `serve`, which starts a test server, and registers an afterEach that
 * closes every server started during the test.
 */
export function servePerTest(): (opts?: TestServeOptions) => Promise<TestServe> {
  const open: TestServe[] = [];
  afterEach(async () => {
    for (let s = open.pop(); s; s = open.pop()) await s.close();
  });
  return async (opts = {}) => {
    const s = await startTestServe(opts);
    open.push(s);
    return s;
  };
}

export async function startTestServe(opts: TestServeOptions = {}): Promise<TestServe> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-serve-'));
  const staticDir = opts.staticDir ?? join(dataDir, 'renderer');
  if (!opts.staticDir) await fakeRenderer(staticDir);
  const simEnds = queue<SimLogEntry>();
  const turnEnds = queue<TurnReport>();
  const simWrites: SimWrite[] = [];
  const simulator = new EmbeddedSimulator({
    log: (e) => simEnds.push(e),
    onWrite: (w) => simWrites.push(w),
    // For requests that carry no timing headers (the "anthropic" provider pointed at the simulator).
    defaults: { ttftMs: 0, tpotMs: 1, ...opts.simDefaults },
  });
  const proxies: { close(): Promise<void> }[] = [];
  const upstreamHeaders: IncomingHttpHeaders[] = [];
  const upstreamBodies: Record<string, unknown>[] = [];
  const conversations = new ConversationStore(dataDir);
  const settings = new SettingsStore(dataDir);
  await settings.update({
    provider: 'simulated',
    sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 },
    ...opts.settings,
  });
  const { simTokens, simHeaders, upstream } = opts;
  const env = opts.anthropicViaSimulator
    ? { ...opts.env, ANTHROPIC_BASE_URL: await simulator.url() }
    : (opts.env ?? {});
  const proxied = simTokens !== undefined || simHeaders !== undefined;
  const mcp = opts.mcp
    ? new McpManager({
        settings: () => settings.get(),
        file: join(dataDir, MCP_FILE),
        pageMayAddStdio: opts.mcp.allowPageStdio ?? false,
      })
    : undefined;
  const service = new ChatService({
    ...(mcp ? { mcp } : {}),
    conversations,
    settings,
    keys: opts.keys ?? envKeySource({}),
    simulator,
    env,
    ...(proxied || upstream
      ? {
          routeBaseURL: async (baseURL: string) => {
            const target = upstream ?? baseURL;
            if (!proxied) return target;
            const knobs = {
              ...(simTokens ? { tokens: simTokens } : {}),
              ...(simHeaders ? { headers: simHeaders } : {}),
            };
            const proxy = await passThroughProxy(target, knobs, upstreamHeaders, upstreamBodies);
            proxies.push(proxy);
            return proxy.url;
          },
        }
      : {}),
  });
  const server = await startServer({
    service,
    conversations,
    settings,
    staticDir,
    onTurnEnd: (r) => turnEnds.push(r),
  });

  const call: TestServe['call'] = (method, path, body, headers = {}) => {
    const all: Record<string, string> = {
      host: `127.0.0.1:${server.port}`,
      authorization: `Bearer ${server.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    for (const [name, value] of Object.entries(headers)) {
      if (value === null) delete all[name.toLowerCase()];
      else all[name.toLowerCase()] = value;
    }
    return rawRequest(
      server.port,
      method,
      path,
      all,
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    );
  };

  return {
    server,
    service,
    conversations,
    settings,
    dataDir,
    simLog: simEnds.items,
    simWrites,
    upstreamHeaders,
    upstreamBodies,
    nextSimEnd: simEnds.next,
    reports: turnEnds.items,
    nextTurnEnd: turnEnds.next,
    call,
    close: async () => {
      await server.close();
      await service.close();
      for (const proxy of proxies) await proxy.close();
      // A save still landing (an answer's title, written once its tiny request returns) can put a
      // file in the directory while it is being removed (ENOTEMPTY): Node retries that case.
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // Not JSON (SSE, HTML, empty): the text is there.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a turn with a raw request and hands back the response as it streams. */
export function openTurn(
  ts: TestServe,
  body: unknown,
): Promise<{ req: ReturnType<typeof request>; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: ts.server.port,
        method: 'POST',
        path: '/api/turns',
        headers: { authorization: `Bearer ${ts.server.token}`, 'content-type': 'application/json' },
      },
      (res) => resolve({ req, res }),
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Parses SSE text (with eventsource-parser, like the client) into relay events and comments. */
export function parseSse(text: string): {
  events: RelayEvent[];
  ids: string[];
  names: string[];
  comments: string[];
} {
  const events: RelayEvent[] = [];
  const ids: string[] = [];
  const names: string[] = [];
  const comments: string[] = [];
  const parser = createParser({
    onEvent: (m) => {
      events.push(JSON.parse(m.data) as RelayEvent);
      ids.push(m.id ?? '');
      names.push(m.event ?? '');
    },
    onComment: (c) => comments.push(c.trim()),
  });
  parser.feed(text);
  return { events, ids, names, comments };
}
