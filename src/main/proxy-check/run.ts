// `sluice proxy-check`: one scripted stream, direct and through a real nginx configured each way,
// plus the relay hop (sluice serve behind a stock nginx) and a heartbeat check against a short
// proxy_read_timeout. Every path's event arrivals are recorded beside the upstream's writes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectBuffering } from '../../shared/metrics';
import type { NginxProfile } from '../../shared/protocol';
import { ChatService } from '../chat/service';
import { EmbeddedSimulator } from '../chat/target';
import { startSimulatedProvider, SIM_HEADERS, type SimWrite } from '../providers/simulated';
import { startServer } from '../server/server';
import { ConversationStore } from '../store/conversations';
import { SettingsStore } from '../store/settings';
import { findNginx, startNginxFront } from '../proxy';
import { captureStream, largestBurst, type Capture } from './capture';

export type CheckScript = { ttftMs: number; tpotMs: number; tokens: number };

export type PathResult = {
  id: string;
  label: string;
  profile: NginxProfile | null;
  verdict: 'streaming' | 'buffered' | 'failed';
  reason: string;
  events: number;
  ttftMs: number | null;
  tpotMs: number | null;
  totalMs: number;
  largestBurst: number;
  /** Arrivals and the upstream's writes of the same content events, ms after the request was sent. */
  arrivals: number[];
  upstreamWrites: number[];
  /** Content events the client had received when the upstream wrote its last one. */
  receivedBeforeLastWrite: number;
};

export type HeartbeatResult = {
  id: string;
  label: string;
  survived: boolean;
  detail: string;
  events: number;
  comments: number;
};

export type ProxyCheckReport = {
  date: string;
  nginx: { path: string; version: string };
  script: CheckScript;
  heartbeat: { readTimeoutSec: number; ttftMs: number };
  paths: PathResult[];
  heartbeats: HeartbeatResult[];
};

export type ProxyCheckOptions = {
  script?: Partial<CheckScript>;
  readTimeoutSec?: number;
  heartbeatTtftMs?: number;
  nginxPath?: string;
  onProgress?: (line: string) => void;
};

const PROVIDER_BODY = (maxTokens: number) => ({
  model: 'sim-text',
  max_tokens: maxTokens,
  stream: true,
  messages: [{ role: 'user', content: 'proxy check: the same scripted stream on every path' }],
});

const providerEvents = {
  isContent: (event: string | undefined) => event === 'content_block_delta',
  isLast: (event: string | undefined) => event === 'message_stop',
};
const relayEvents = {
  isContent: (event: string | undefined, data: string) =>
    event === 'provider' && data.includes('"content_block_delta"'),
  isLast: (event: string | undefined) => event === 'terminal',
};

type PathSpec = { id: string; label: string; profile: NginxProfile | null };

function summarize(
  spec: PathSpec,
  capture: Capture,
  writes: number[],
  tokens: number,
): PathResult {
  const { arrivals } = capture;
  const lastWrite = writes.at(-1) ?? Number.POSITIVE_INFINITY;
  const base = {
    ...spec,
    events: arrivals.length,
    ttftMs: arrivals[0] ?? null,
    tpotMs: arrivals.length >= 2 ? (arrivals.at(-1)! - arrivals[0]!) / (arrivals.length - 1) : null,
    totalMs: capture.endedAt,
    largestBurst: largestBurst(arrivals),
    arrivals,
    upstreamWrites: writes,
    receivedBeforeLastWrite: arrivals.filter((t) => t < lastWrite).length,
  };
  if (capture.failure || arrivals.length < tokens) {
    return {
      ...base,
      verdict: 'failed',
      reason: capture.failure ?? `only ${arrivals.length} of ${tokens} events arrived`,
    };
  }
  const lump = detectBuffering(arrivals, 0, capture.endedAt);
  if (lump.buffered) return { ...base, verdict: 'buffered', reason: lump.reason };
  // Not one lump, but held back all the same: the upstream wrote one event at a time and they
  // arrived in bursts (nginx's default buffers release a stream 4–8 KB at a time).
  const upstreamBurst = largestBurst(writes);
  if (base.largestBurst >= upstreamBurst + 4) {
    return {
      ...base,
      verdict: 'buffered',
      reason: `The upstream wrote events one at a time but they arrived in bursts of up to ${base.largestBurst}: held back and released as buffers filled.`,
    };
  }
  return { ...base, verdict: 'streaming', reason: lump.reason };
}

export async function runProxyCheck(opts: ProxyCheckOptions = {}): Promise<ProxyCheckReport> {
  const script: CheckScript = { ttftMs: 300, tpotMs: 20, tokens: 60, ...opts.script };
  const readTimeoutSec = opts.readTimeoutSec ?? 2;
  const heartbeatTtftMs = opts.heartbeatTtftMs ?? readTimeoutSec * 3_000;
  const progress = opts.onProgress ?? (() => {});
  const found = await findNginx(opts.nginxPath);
  if (!found.ok) throw new Error(found.error.message);

  // Every content event any simulated upstream writes, in this process's clock.
  let writes: SimWrite[] = [];
  const onWrite = (w: SimWrite) => {
    if (w.eventType === 'content_block_delta') writes.push(w);
  };
  const sim = await startSimulatedProvider({ onWrite });
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-proxy-check-'));
  const settings = new SettingsStore(dataDir);
  const service = new ChatService({
    conversations: new ConversationStore(dataDir),
    settings,
    keys: { get: () => null },
    simulator: new EmbeddedSimulator({ onWrite }),
  });
  const relay = await startServer({
    service,
    conversations: new ConversationStore(dataDir),
    settings,
    staticDir: join(dataDir, 'no-renderer'),
  });

  const timing = (ttftMs: number, extra: Record<string, string> = {}) => ({
    'x-api-key': 'simulated',
    'anthropic-version': '2023-06-01',
    [SIM_HEADERS.ttftMs]: String(ttftMs),
    [SIM_HEADERS.tpotMs]: String(script.tpotMs),
    ...extra,
  });

  /** Runs one capture with nginx (or nothing) in front of `upstream`. */
  async function through<T>(
    profile: NginxProfile | null,
    upstream: string,
    run: (base: string) => Promise<T>,
    readTimeout?: number,
  ): Promise<T> {
    if (!profile) return run(upstream);
    const front = await startNginxFront({
      profile,
      upstream: { url: upstream },
      ...(opts.nginxPath ? { nginxPath: opts.nginxPath } : {}),
      ...(readTimeout ? { readTimeoutSec: readTimeout } : {}),
    });
    try {
      return await run(front.url);
    } finally {
      await front.stop();
    }
  }

  const paths: PathResult[] = [];
  const heartbeats: HeartbeatResult[] = [];
  /** One path: `run` through `spec.profile` in front of `upstream`, judged against the upstream's writes. */
  async function checkPath(spec: PathSpec, upstream: string, run: (base: string) => Promise<Capture>) {
    writes = [];
    const capture = await through(spec.profile, upstream, run);
    const result = summarize(
      spec,
      capture,
      writes.map((w) => w.t - capture.startedAt),
      script.tokens,
    );
    paths.push(result);
    progress(
      `${spec.label}: ${result.verdict} (TTFT ${Math.round(result.ttftMs ?? 0)} ms, total ${Math.round(result.totalMs)} ms)`,
    );
  }

  try {
    const providerPaths: (PathSpec & { accelNo: boolean })[] = [
      { id: 'direct', label: 'direct (no proxy)', profile: null, accelNo: false },
      { id: 'buffered', label: 'nginx buffered (stock proxy_pass)', profile: 'buffered', accelNo: false },
      { id: 'buffered-gzip', label: 'nginx buffered + gzip', profile: 'buffered-gzip', accelNo: false },
      {
        id: 'streaming',
        label: 'nginx streaming (proxy_buffering off)',
        profile: 'streaming',
        accelNo: false,
      },
      {
        id: 'header-cure',
        label: 'nginx buffered + upstream X-Accel-Buffering: no',
        profile: 'header-cure',
        accelNo: true,
      },
    ];
    for (const spec of providerPaths) {
      await checkPath(spec, sim.url, (base) =>
        captureStream({
          url: `${base}/v1/messages`,
          headers: timing(script.ttftMs, spec.accelNo ? { [SIM_HEADERS.accelBuffering]: 'no' } : {}),
          body: PROVIDER_BODY(script.tokens),
          ...providerEvents,
          timeoutMs: 30_000,
        }),
      );
    }

    await settings.update({
      provider: 'simulated',
      maxTokens: script.tokens,
      pingIntervalMs: 1_000,
      sim: { scenario: 'sim-text', ttftMs: script.ttftMs, tpotMs: script.tpotMs },
    });
    const relayTurn = (base: string) =>
      captureStream({
        url: `${base}/api/turns`,
        headers: { authorization: `Bearer ${relay.token}` },
        body: { action: 'send', conversationId: null, text: 'proxy check through the relay' },
        ...relayEvents,
        timeoutMs: 30_000,
      });
    await checkPath(
      { id: 'relay-hop', label: 'sluice serve behind stock nginx (buffered)', profile: 'buffered' },
      relay.origin,
      relayTurn,
    );

    // Heartbeats: a first token several times longer than nginx's proxy_read_timeout.
    const heartbeat = async (
      id: string,
      label: string,
      run: (base: string) => Promise<Capture>,
      upstream: string,
    ) => {
      const capture = await through('streaming', upstream, run, readTimeoutSec);
      const survived = capture.completed && capture.failure === null;
      const detail = survived
        ? `survived: ${capture.arrivals.length} events after a ${heartbeatTtftMs} ms wait (${capture.comments} heartbeat comments seen)`
        : `died: ${capture.failure ?? 'incomplete'}${capture.status && capture.status !== 200 ? ` (HTTP ${capture.status})` : ''}`;
      heartbeats.push({
        id,
        label,
        survived,
        detail,
        events: capture.arrivals.length,
        comments: capture.comments,
      });
      progress(`heartbeat, ${label}: ${detail}`);
    };
    const slowProvider = (pingMs?: number) => (base: string) =>
      captureStream({
        url: `${base}/v1/messages`,
        headers: timing(heartbeatTtftMs, pingMs ? { [SIM_HEADERS.pingMs]: String(pingMs) } : {}),
        body: PROVIDER_BODY(script.tokens),
        ...providerEvents,
        timeoutMs: heartbeatTtftMs + 20_000,
      });
    await heartbeat('no-heartbeat', 'provider with no heartbeat', slowProvider(), sim.url);
    await heartbeat('provider-ping', 'provider sending ping events every 1 s', slowProvider(1_000), sim.url);
    await settings.update({ sim: { scenario: 'sim-text', ttftMs: heartbeatTtftMs, tpotMs: script.tpotMs } });
    await heartbeat('serve-ping', 'sluice serve sending `: ping` every 1 s', relayTurn, relay.origin);
  } finally {
    await relay.close();
    await service.close();
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  return {
    date: new Date().toISOString(),
    nginx: { path: found.path, version: found.version },
    script,
    heartbeat: { readTimeoutSec, ttftMs: heartbeatTtftMs },
    paths,
    heartbeats,
  };
}
