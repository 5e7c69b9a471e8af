// `sluice serve` in this process, as runServe builds it (ChatService, stores in a temp data
// directory, the built renderer), with its simulated provider being the benchmark's own, and a
// streaming client that reads the relay's SSE with eventsource-parser, like the browser client.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { ChatService } from '../../src/main/chat/service';
import { EmbeddedSimulator, envKeySource } from '../../src/main/chat/target';
import { startServer, type SluiceServer } from '../../src/main/server/server';
import type { TurnReport } from '../../src/main/server/turns';
import { ConversationStore } from '../../src/main/store/conversations';
import { SettingsStore } from '../../src/main/store/settings';
import type { RelayEvent, SettingsPatch } from '../../src/shared/protocol';
import { rawPost, type RawAnswer } from './raw-post';
import { startUpstreamProxy } from './upstream-proxy';

/** Points ChatService at a simulated provider that is already running. */
class SharedSimulator extends EmbeddedSimulator {
  constructor(private readonly sharedUrl: string) {
    super();
  }
  override url(): Promise<string> {
    return Promise.resolve(this.sharedUrl);
  }
  override close(): Promise<void> {
    return Promise.resolve();
  }
}

export type BenchServe = {
  server: SluiceServer;
  service: ChatService;
  reports: TurnReport[];
  /** PATCH /api/settings, as the settings panel does. */
  patchSettings(patch: SettingsPatch): Promise<void>;
  close(): Promise<void>;
};

export async function startBenchServe(opts: {
  simUrl: string;
  staticDir: string;
  settings: SettingsPatch;
  /** Rewrites the provider's base URL per turn (a proxy that asks for longer answers). */
  routeBaseURL?: (baseURL: string) => Promise<string>;
  /** A data directory that already holds conversations (the caller removes it); else a temp one. */
  dataDir?: string;
}): Promise<BenchServe> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'sluice-bench-')));
  const conversations = new ConversationStore(dataDir);
  const settings = new SettingsStore(dataDir);
  await settings.update({ provider: 'simulated', ...opts.settings });
  const reports: TurnReport[] = [];
  const service = new ChatService({
    conversations,
    settings,
    keys: envKeySource({}),
    simulator: new SharedSimulator(opts.simUrl),
    env: {},
    ...(opts.routeBaseURL ? { routeBaseURL: opts.routeBaseURL } : {}),
  });
  const server = await startServer({
    service,
    conversations,
    settings,
    staticDir: opts.staticDir,
    onTurnEnd: (r) => reports.push(r),
  });
  return {
    server,
    service,
    reports,
    async patchSettings(patch) {
      const res = await fetch(`${server.origin}/api/settings`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(patch),
      });
      if (!res.ok) throw new Error(`PATCH /api/settings answered ${res.status}: ${await res.text()}`);
    },
    async close() {
      await server.close();
      await service.close();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type ServeTurnOptions = {
  text: string;
  signal?: AbortSignal;
  /** Every relay event, as parsed from the SSE. */
  onEvent?: (event: RelayEvent) => void;
  /** Every body chunk's size, as read. */
  onBytes?: (n: number) => void;
};

/**
 * serve on a TPOT-0 simulated provider, its relay through a pass-through hop that asks for an
 * answer of `tokens` deltas (settings cannot ask for one that long). `close` stops both.
 */
export async function startLongAnswerServe(
  simUrl: string,
  staticDir: string,
  tokens: number,
): Promise<BenchServe> {
  const proxy = await startUpstreamProxy(simUrl, { tokens, deltasPerSecond: null });
  const serve = await startBenchServe({
    simUrl,
    staticDir,
    settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } },
    routeBaseURL: () => Promise.resolve(proxy.url),
  });
  return {
    ...serve,
    async close() {
      await serve.close();
      await proxy.close();
    },
  };
}

/** POST /api/turns read on the raw socket (a slow reader, or one that cuts the connection). */
export const openServeTurn = (serve: BenchServe, text: string): Promise<RawAnswer> =>
  rawPost(
    `${serve.server.origin}/api/turns`,
    { action: 'send', conversationId: null, text },
    { authorization: `Bearer ${serve.server.token}` },
  );

/** One turn over HTTP/SSE. Resolves when the response ends (or the signal cuts it). */
export async function streamServeTurn(serve: BenchServe, o: ServeTurnOptions): Promise<void> {
  const { server } = serve;
  const parser = createParser({
    onEvent: (m) => o.onEvent?.(JSON.parse(m.data) as RelayEvent),
  });
  try {
    const res = await fetch(`${server.origin}/api/turns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'send', conversationId: null, text: o.text }),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (!res.ok || !res.body) throw new Error(`POST /api/turns answered ${res.status}`);
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      o.onBytes?.(chunk.byteLength);
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
  } catch (err) {
    if (!o.signal?.aborted) throw err;
  }
}
