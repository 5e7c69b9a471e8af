// 1′. The relay beside its peer: the Vercel AI SDK (`ai` 6 + `@ai-sdk/anthropic`, streamText →
// pipeUIMessageStreamToResponse, bench/lib/vercel-face.ts) in two variants — abortSignal wired to
// the response's close, and none — against `sluice serve`, the IPC path and the Anthropic SDK read
// directly, on the same simulated provider, in one run: latency rounds, a firehose, a slow reader,
// Stop, and four faults. Every peer row is what was measured here; none is a target.
import { createRng, hashString } from '../src/main/providers/simulated/rng';
import { markdownTokens, topicOf } from '../src/main/providers/simulated/text';
import type { RelayEvent } from '../src/shared/protocol';
import { PROMPT as SLOW_PROMPT, slowReader, viaIpc, viaServe, watch } from './backpressure';
import { startFace } from './cancel';
import type { Face } from './lib/faces';
import { startIpcTurn } from './lib/ipc-face';
import { info, kb, mb, ms, progress, x, type BenchResult, type Row } from './lib/result';
import type { RawAnswer } from './lib/raw-post';
import {
  openServeTurn,
  startBenchServe,
  startLongAnswerServe,
  streamServeTurn,
  type BenchServe,
} from './lib/serve-face';
import { simHeaders, type BenchSim } from './lib/sim';
import { median, percentile, rotate, seeded, sleep } from './lib/stats';
import { startUpstreamProxy } from './lib/upstream-proxy';
import {
  openVercelTurn,
  spawnVercelRelay,
  startVercelRelay,
  streamVercelTurn,
  uiTextChars,
  type VercelKnobs,
  type VercelProcess,
  type VercelRelay,
  type VercelVariant,
} from './lib/vercel-face';
import { PROMPT, record, runConsumer } from './relay-overhead';

export type PeersRelayConfig = {
  /** Latency: interleaved rounds of sim-text's default 300-delta answer. */
  rounds: number;
  ttftMs: number;
  tpotMs: number;
  /** Deltas/s: a TPOT-0 answer of this many deltas per face and round. */
  firehoseTokens: number;
  firehoseRounds: number;
  /** Memory: a reader of `readBytesPerSecond` for `windowMs`, the provider asked for `providerBytes`. */
  windowMs: number;
  readBytesPerSecond: number;
  providerBytes: number;
  /** Stop: this many per face, at TPOT `cancelTpotMs`. */
  abortsPerFace: number;
  cancelTpotMs: number;
  /** Faults: Sluice's idle timeout for the stall; the peer is watched twice as long. */
  idleTimeoutMs: number;
  staticDir: string;
};

const PEERS = ['a-sdk', 'c-ipc', 'd-serve', 'v-abort', 'v-plain'] as const;
type Peer = (typeof PEERS)[number];
const VARIANTS = ['abort', 'plain'] as const;

const LABELS: Record<Peer, string> = {
  'a-sdk': '(a) Anthropic SDK direct',
  'c-ipc': '(c) Sluice IPC → page reducer',
  'd-serve': '(d) sluice serve SSE client',
  'v-abort': '(v) Vercel AI SDK, abortSignal wired',
  'v-plain': '(v′) Vercel AI SDK, no abortSignal',
};
const variantOf = (p: Peer): VercelVariant | null =>
  p === 'v-abort' ? 'abort' : p === 'v-plain' ? 'plain' : null;
const peerOf = (v: VercelVariant): Peer => (v === 'abort' ? 'v-abort' : 'v-plain');

const knobs = (
  timing: { ttftMs: number; tpotMs: number; tokens?: number },
  model = 'sim-text',
): VercelKnobs => ({
  model,
  headers: simHeaders(timing),
  maxOutputTokens: Math.max(4096, timing.tokens ?? 0),
});

type Relays = Record<VercelVariant, VercelRelay>;

/** One turn read by `who`; the stamps are the reader's, one per text delta. */
async function runPeer(
  who: Peer,
  sim: BenchSim,
  serve: BenchServe,
  relays: Relays,
  timing: { ttftMs: number; tpotMs: number; tokens?: number },
): Promise<{ t0: number; stamps: number[]; text: string | null }> {
  const variant = variantOf(who);
  if (!variant) {
    const run = await runConsumer(who as Face, sim, serve, timing);
    return { ...run, text: null };
  }
  const stamps: number[] = [];
  const t0 = performance.now();
  const turn = await streamVercelTurn(relays[variant].url, {
    text: PROMPT,
    sim: knobs(timing),
    onTextDelta: () => stamps.push(performance.now()),
  });
  if (turn.thrown) throw new Error(`${LABELS[who]}: ${turn.thrown}`);
  return { t0, stamps, text: turn.text };
}

// ───── Latency and deltas/s ─────

async function latency(sim: BenchSim, cfg: PeersRelayConfig, relays: Relays) {
  const timing = { ttftMs: cfg.ttftMs, tpotMs: cfg.tpotMs };
  const serve = await startBenchServe({
    simUrl: sim.url,
    staticDir: cfg.staticDir,
    settings: { sim: { scenario: 'sim-text', ...timing }, maxTokens: 4096 },
  });
  const samples = Object.fromEntries(
    PEERS.map((p) => [p, { ttft: [] as number[], latency: [] as number[], mismatched: 0 }]),
  );
  sim.keepWrites = true;
  try {
    await serve.patchSettings({ sim: { ttftMs: 0, tpotMs: 0 } });
    for (const who of PEERS) {
      await runPeer(who, sim, serve, relays, { ttftMs: 0, tpotMs: 0 });
      sim.forget((await sim.nextEnd()).requestId);
    }
    await serve.patchSettings({ sim: timing });
    for (let round = 0; round < cfg.rounds; round++) {
      const line: string[] = [];
      for (const who of rotate(PEERS, round)) {
        const run = await runPeer(who, sim, serve, relays, timing);
        const end = await sim.nextEnd();
        const writes = sim.deltaWrites(end.requestId);
        sim.forget(end.requestId);
        const s = samples[who] as (typeof samples)[string] & object;
        const ttft = record(s, run, writes);
        line.push(`${who} ${ttft.toFixed(0)}`);
      }
      progress('peers-relay', `latency round ${round + 1}/${cfg.rounds}, TTFT ms: ${line.join(', ')}`);
    }
  } finally {
    await serve.close();
  }
  return Object.fromEntries(
    PEERS.map((p) => {
      const s = samples[p] as (typeof samples)[string] & object;
      return [
        p,
        {
          ttftMs: median(s.ttft),
          p50Ms: percentile(s.latency, 50),
          p99Ms: percentile(s.latency, 99),
          events: s.latency.length,
          runsWithCountMismatch: s.mismatched,
        },
      ];
    }),
  ) as Record<
    Peer,
    { ttftMs: number; p50Ms: number; p99Ms: number; events: number; runsWithCountMismatch: number }
  >;
}

async function firehose(sim: BenchSim, cfg: PeersRelayConfig, relays: Relays) {
  const tokens = cfg.firehoseTokens;
  const expected = [...markdownTokens(createRng(hashString(PROMPT)), topicOf(PROMPT), tokens)].join('');
  const serve = await startLongAnswerServe(sim.url, cfg.staticDir, tokens);
  const rates = Object.fromEntries(PEERS.map((p) => [p, [] as number[]])) as Record<Peer, number[]>;
  let peerTextExact = true;
  sim.keepWrites = false;
  try {
    for (let round = 0; round < cfg.firehoseRounds; round++) {
      for (const who of rotate(PEERS, round)) {
        const run = await runPeer(who, sim, serve, relays, { ttftMs: 0, tpotMs: 0, tokens });
        const end = await sim.nextEnd();
        sim.forget(end.requestId);
        if (run.text !== null && run.text !== expected) peerTextExact = false;
        // Sluice merges deltas while its reader is behind: count what the provider wrote.
        const span = ((run.stamps.at(-1) ?? Number.NaN) - (run.stamps[0] ?? Number.NaN)) / 1000;
        rates[who].push((end.tokensGenerated - 1) / span);
      }
      progress(
        'peers-relay',
        `firehose round ${round + 1}/${cfg.firehoseRounds}: ${PEERS.map((p) => `${p} ${Math.round(rates[p].at(-1) ?? 0)}/s`).join(', ')}`,
      );
    }
  } finally {
    sim.keepWrites = true;
    await serve.close();
  }
  return {
    rates: Object.fromEntries(PEERS.map((p) => [p, median(rates[p])])) as Record<Peer, number>,
    peerTextExact,
  };
}

// ───── Memory against a slow reader ─────

type Memory = {
  heapGrowthAfterGc: number;
  /** Heap after GC, end of the window − its middle: what a bounded relay no longer adds. */
  secondHalfHeapGrowth: number;
  rssGrowth: number;
  bounded: boolean;
  /** Provider bytes written in the window's first and second half, and what the reader read. */
  providerFirstHalf: number;
  providerSecondHalf: number;
  consumerBytes: number;
  afterReaderLeft: string;
};

/**
 * A relay that holds its provider back leaves the excess in kernel socket buffers: its heap after
 * GC grows in the window's second half by at most 1 MB, or a tenth of what the provider wrote then.
 */
const boundedGrowth = (providerBytes: number): number => Math.max(1024 * 1024, providerBytes / 10);

const memoryOf = (w: Awaited<ReturnType<typeof watch>>, afterReaderLeft: string): Memory => {
  const secondHalfHeapGrowth = w.after.heapUsed - (w.midMemory ?? w.base).heapUsed;
  return {
    heapGrowthAfterGc: w.after.heapUsed - w.base.heapUsed,
    secondHalfHeapGrowth,
    rssGrowth: w.peak.rss - w.base.rss,
    bounded: secondHalfHeapGrowth <= boundedGrowth(w.end.providerBytes - w.mid.providerBytes),
    providerFirstHalf: w.mid.providerBytes,
    providerSecondHalf: w.end.providerBytes - w.mid.providerBytes,
    consumerBytes: w.end.consumer.bytes,
    afterReaderLeft,
  };
};

/** The peer against a slow HTTP reader, through the same pass-through hop as serve's run. */
async function vercelSlowReader(
  sim: BenchSim,
  cfg: PeersRelayConfig,
  variant: VercelVariant,
  tokens: number,
) {
  const proxy = await startUpstreamProxy(sim.url, { tokens, deltasPerSecond: null });
  // In a process of its own: its memory is the relay's alone.
  const relay = await spawnVercelRelay(proxy.url, variant);
  try {
    const turn = await openVercelTurn(relay.url, {
      text: SLOW_PROMPT,
      sim: knobs({ ttftMs: 0, tpotMs: 0, tokens }),
    });
    const reader = slowReader(turn.res, cfg.readBytesPerSecond, uiTextChars);
    const w = await watch(cfg, sim, reader.consumed, `vercel-${variant}`, relay.memory, true);
    reader.stop();
    const left = performance.now();
    const before = sim.latest()?.bytes ?? 0;
    turn.destroy();
    // Does the provider's request end once the reader has gone? Watch it for 2 s, then cut the hop.
    const ended = await sim.nextEndWithin(2000);
    let afterReaderLeft: string;
    if (ended) {
      afterReaderLeft = `provider ${ended.reason} ${ms(performance.now() - left, 0)} after the reader left`;
      sim.forget(ended.requestId);
    } else {
      const more = (sim.latest()?.bytes ?? 0) - before;
      await proxy.close();
      const end = await sim.nextEnd();
      sim.forget(end.requestId);
      afterReaderLeft = `provider still writing 2 s after the reader left (${mb(more)} more; the bench then cut it)`;
    }
    return { w, afterReaderLeft };
  } finally {
    await relay.kill();
    await proxy.close();
  }
}

async function memory(sim: BenchSim, cfg: PeersRelayConfig) {
  const tokens = Math.ceil(cfg.providerBytes / 100);
  const bp = { ...cfg, staticDir: cfg.staticDir };
  const out: Partial<Record<Peer, Memory>> = {};
  sim.keepWrites = false;
  try {
    for (const who of ['d-serve', 'c-ipc', 'v-abort', 'v-plain'] as const) {
      progress('peers-relay', `${who}: reading ${kb(cfg.readBytesPerSecond)}/s for ${cfg.windowMs / 1000} s`);
      const variant = variantOf(who);
      if (variant) {
        const { w, afterReaderLeft } = await vercelSlowReader(sim, cfg, variant, tokens);
        out[who] = memoryOf(w, afterReaderLeft);
      } else {
        const run =
          who === 'd-serve' ? await viaServe(sim, bp, tokens, true) : await viaIpc(sim, bp, tokens, true);
        out[who] = memoryOf(run.w, run.outcome);
      }
    }
  } finally {
    sim.keepWrites = true;
  }
  return { faces: out as Record<'d-serve' | 'c-ipc' | 'v-abort' | 'v-plain', Memory>, tokens };
}

// ───── Stop ─────

type StopSample = { closeMs: number; reason: string; afterStop: number };

async function stopVercel(sim: BenchSim, relay: VercelRelay, tpotMs: number, stopAfterMs: number) {
  const controller = new AbortController();
  let seen = 0;
  let first!: () => void;
  const started = new Promise<void>((resolve) => (first = resolve));
  const done = streamVercelTurn(relay.url, {
    text: PROMPT,
    sim: knobs({ ttftMs: 0, tpotMs }),
    signal: controller.signal,
    onTextDelta: (n) => {
      seen = n;
      if (n === 1) first();
    },
  });
  await started;
  await sleep(stopAfterMs);
  const abortAt = performance.now();
  // useChat's stop(): abort the fetch.
  controller.abort();
  return { abortAt, seen: () => seen, done };
}

async function stops(sim: BenchSim, cfg: PeersRelayConfig, relays: Relays) {
  const random = seeded(42);
  const serve = await startBenchServe({
    simUrl: sim.url,
    staticDir: cfg.staticDir,
    settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: cfg.cancelTpotMs } },
  });
  const samples = Object.fromEntries(PEERS.map((p) => [p, [] as StopSample[]])) as Record<Peer, StopSample[]>;
  sim.keepWrites = true;
  try {
    for (let i = 0; i < cfg.abortsPerFace; i++) {
      for (const who of rotate(PEERS, i)) {
        const stopAfterMs = random() * cfg.cancelTpotMs * 12;
        const variant = variantOf(who);
        const attempt = variant
          ? await stopVercel(sim, relays[variant], cfg.cancelTpotMs, stopAfterMs)
          : await startFace(who as Face, sim, serve, cfg.cancelTpotMs, stopAfterMs);
        const end = await sim.nextEnd();
        await attempt.done;
        const closedAt = sim.endedAt(end.requestId) ?? Number.NaN;
        sim.forget(end.requestId);
        samples[who].push({
          closeMs: closedAt - attempt.abortAt,
          reason: end.reason,
          afterStop: end.tokensGenerated - attempt.seen(),
        });
      }
    }
    progress('peers-relay', `${cfg.abortsPerFace} Stops per face`);
  } finally {
    await serve.close();
  }
  return Object.fromEntries(
    PEERS.map((p) => {
      const s = samples[p];
      const reasons = [...new Set(s.map((v) => v.reason))].join(', ');
      return [
        p,
        {
          p50Ms: percentile(
            s.map((v) => v.closeMs),
            50,
          ),
          p99Ms: percentile(
            s.map((v) => v.closeMs),
            99,
          ),
          reasons,
          medianAfterStop: median(s.map((v) => v.afterStop)),
          maxAfterStop: Math.max(...s.map((v) => v.afterStop)),
        },
      ];
    }),
  ) as Record<
    Peer,
    { p50Ms: number; p99Ms: number; reasons: string; medianAfterStop: number; maxAfterStop: number }
  >;
}

// ───── Faults ─────

// The upstream cut last: it is the one that has crashed the peer.
const FAULTS = ['upstream-error', 'client-cut', 'stall', 'upstream-cut'] as const;
type Fault = (typeof FAULTS)[number];
const FAULT_LABELS: Record<Fault, string> = {
  'upstream-error': 'upstream error mid-stream (sim-overloaded-midstream): what the client sees',
  'upstream-cut':
    'upstream socket cut mid-event (sim-drop): does the relay process survive, what the client sees',
  'client-cut': 'client socket cut mid-stream: does the relay process survive, when does the provider stop',
  stall: 'stalled upstream (sim-stall, silent after 4 deltas): does anything notice',
};
const SCENARIO: Record<Fault, 'sim-overloaded-midstream' | 'sim-drop' | 'sim-text' | 'sim-stall'> = {
  'upstream-error': 'sim-overloaded-midstream',
  'upstream-cut': 'sim-drop',
  'client-cut': 'sim-text',
  stall: 'sim-stall',
};

/** The reasons of the provider requests that end until none has for `quietMs` (a retry makes two). */
async function endsUntilQuiet(sim: BenchSim, quietMs = 200): Promise<string[]> {
  const reasons: string[] = [];
  for (;;) {
    const end = await sim.nextEndWithin(quietMs);
    if (!end) return reasons;
    reasons.push(end.reason);
    sim.forget(end.requestId);
  }
}

/** Lets the requests still ending end (and forgets them), so the next measure hands out only its own. */
const settle = (sim: BenchSim) => endsUntilQuiet(sim, 150);

/** Reads a raw SSE response until it has `bytes`, then cuts the connection. */
async function cutAfter(turn: RawAnswer, bytes: number): Promise<void> {
  let got = 0;
  for await (const chunk of turn.res) {
    got += (chunk as Buffer).length;
    if (got >= bytes) break;
  }
  turn.destroy();
}

/** When the provider's request ends (or null within `ms`), handed out once. */
async function providerEnd(sim: BenchSim, since: number, ms_: number): Promise<string> {
  const end = await sim.nextEndWithin(ms_);
  if (!end) return `provider request still open ${(ms_ / 1000).toFixed(0)} s later`;
  sim.forget(end.requestId);
  return `provider ${end.reason} after ${ms(performance.now() - since, 0)}, ${end.tokensGenerated} tokens`;
}

type Terminal = Extract<RelayEvent, { type: 'terminal' }>;

/** What a Sluice client saw at the end of a turn: the terminal and its sentence, the retries. */
function describeTerminal(events: RelayEvent[]): string {
  const retries = events.filter((e) => e.type === 'status' && e.status.phase === 'turn_retry').length;
  const t = events.find((e): e is Terminal => e.type === 'terminal');
  if (!t) return `no terminal (${events.length} events)`;
  const msg = t.error ? ` ${t.error.type}: “${t.error.message}”` : '';
  return `${t.outcome}${msg}${retries ? ` (after ${retries} whole-turn retr${retries === 1 ? 'y' : 'ies'})` : ''}`;
}

async function serveFault(
  sim: BenchSim,
  serve: BenchServe,
  fault: Fault,
  idleTimeoutMs: number,
): Promise<string> {
  await serve.patchSettings({ sim: { scenario: SCENARIO[fault], ttftMs: 0, tpotMs: 10 }, idleTimeoutMs });
  const began = performance.now();
  if (fault === 'client-cut') {
    const turn = await openServeTurn(serve, PROMPT);
    await cutAfter(turn, 2048);
    const cut = performance.now();
    const end = await providerEnd(sim, cut, 10_000);
    return `survives; the turn runs on detached for a re-attach (resumeGraceMs 30 s): ${end}`;
  }
  const events: RelayEvent[] = [];
  await streamServeTurn(serve, { text: PROMPT, onEvent: (e) => events.push(e) });
  const took = performance.now() - began;
  const ends = await endsUntilQuiet(sim);
  const probe = await serveProbe(sim, serve);
  return `client sees ${describeTerminal(events)} after ${ms(took, 0)}; provider ${ends.join(' + ') || 'still open'}; ${probe}`;
}

async function serveProbe(sim: BenchSim, serve: BenchServe): Promise<string> {
  await serve.patchSettings({ sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } });
  const events: RelayEvent[] = [];
  await streamServeTurn(serve, { text: 'Are you still there?', onEvent: (e) => events.push(e) });
  sim.forget((await sim.nextEnd()).requestId);
  const t = events.find((e) => e.type === 'terminal');
  return t?.type === 'terminal' && t.outcome === 'complete' ? 'serves the next turn' : 'the next turn FAILED';
}

async function ipcFault(
  sim: BenchSim,
  fault: Exclude<Fault, 'client-cut'>,
  idleTimeoutMs: number,
): Promise<string> {
  const began = performance.now();
  let last: RelayEvent[] = [];
  const turn = startIpcTurn({
    baseURL: sim.url,
    headers: simHeaders({ ttftMs: 0, tpotMs: 10 }),
    prompt: PROMPT,
    maxTokens: 4096,
    model: SCENARIO[fault],
    idleTimeoutMs,
    onApplied: (batch) => (last = [...last, ...batch.map((b) => b.event)].slice(-50)),
  });
  await turn.done;
  const took = performance.now() - began;
  const end = await sim.nextEnd();
  sim.forget(end.requestId);
  return `client sees ${describeTerminal(last)} after ${ms(took, 0)}; provider ${end.reason}`;
}

async function vercelFault(
  sim: BenchSim,
  proc: VercelProcess,
  fault: Fault,
  idleTimeoutMs: number,
): Promise<{ seen: string; alive: boolean; leftOpen: boolean }> {
  const sim_ = knobs({ ttftMs: 0, tpotMs: 10 }, SCENARIO[fault]);
  let seen: string;
  // A provider request the peer keeps open after its client left.
  let leftOpen = false;
  if (fault === 'client-cut') {
    const turn = await openVercelTurn(proc.url, { text: PROMPT, sim: sim_ });
    await cutAfter(turn, 2048);
    const cut = performance.now();
    seen = await providerEnd(sim, cut, 10_000);
  } else if (fault === 'stall') {
    // Watch twice Sluice's idle timeout: does the client or the provider hear anything?
    const controller = new AbortController();
    const began = performance.now();
    let lastDeltaAt = began;
    const done = streamVercelTurn(proc.url, {
      text: PROMPT,
      sim: sim_,
      signal: controller.signal,
      onTextDelta: () => (lastDeltaAt = performance.now()),
    });
    const watched = 2 * idleTimeoutMs;
    const early = await Promise.race([done, sleep(watched).then(() => null)]);
    const endedEarly = await sim.nextEndWithin(0);
    const quiet = performance.now() - lastDeltaAt;
    controller.abort();
    const left = performance.now();
    let after: string;
    if (endedEarly) {
      after = `provider ${endedEarly.reason}`;
      sim.forget(endedEarly.requestId);
    } else {
      const end = await sim.nextEndWithin(2000);
      if (end) sim.forget(end.requestId);
      leftOpen = !end;
      after = `provider request still open after ${(watched / 1000).toFixed(0)} s; once the client left, ${end ? `provider ${end.reason} after ${ms(performance.now() - left, 0)}` : 'still open 2 s later'}`;
    }
    seen = early
      ? `client stream ended after ${ms(performance.now() - began, 0)}: ${early.chunks.slice(-2).join(' · ')}; ${after}`
      : `client saw nothing for ${ms(quiet, 0)} (no error, no finish); ${after}`;
    await done;
  } else {
    const began = performance.now();
    const turn = await streamVercelTurn(proc.url, { text: PROMPT, sim: sim_ });
    const took = performance.now() - began;
    const tail = turn.chunks.filter((c) => c.startsWith('error') || c === 'finish').join(' · ');
    const ends = await endsUntilQuiet(sim);
    seen = `client sees ${tail || 'no error and no finish: the stream just ends'}${turn.thrown ? `, then its read throws ${turn.thrown}` : ''} after ${ms(took, 0)}; provider ${ends.join(' + ') || 'still open'}`;
  }
  // A process that is going down has a second to do so.
  await Promise.race([proc.exited, sleep(1000)]);
  if (proc.exit) return { seen, alive: false, leftOpen };
  const probe = await streamVercelTurn(proc.url, {
    text: 'Are you still there?',
    sim: knobs({ ttftMs: 0, tpotMs: 0 }),
  });
  const end = await sim.nextEnd();
  sim.forget(end.requestId);
  return {
    seen: `${seen}; ${probe.chunks.at(-1) === 'finish' ? 'serves the next turn' : 'the next turn FAILED'}`,
    alive: true,
    leftOpen,
  };
}

/** The first line of what a crashed process printed that names the error. */
const crashLine = (stderr: string): string =>
  stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^[A-Za-z]*Error\b|\[AI_/.test(l)) ??
  stderr.trim().split('\n')[0] ??
  '';

async function faults(sim: BenchSim, cfg: PeersRelayConfig) {
  const out: Record<Fault, Partial<Record<Peer, string>>> = {
    'upstream-error': {},
    'upstream-cut': {},
    'client-cut': {},
    stall: {},
  };
  const serve = await startBenchServe({
    simUrl: sim.url,
    staticDir: cfg.staticDir,
    settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 10 } },
  });
  try {
    for (const fault of FAULTS) {
      await settle(sim);
      out[fault]['d-serve'] = await serveFault(sim, serve, fault, cfg.idleTimeoutMs);
      await settle(sim);
      out[fault]['c-ipc'] =
        fault === 'client-cut'
          ? 'n/a: no socket between main and the page (a closed port detaches the turn the same way)'
          : `${await ipcFault(sim, fault, cfg.idleTimeoutMs)}; the process goes on`;
    }
  } finally {
    await serve.close();
  }
  for (const variant of VARIANTS) {
    let proc: VercelProcess | null = null;
    try {
      for (const fault of FAULTS) {
        proc ??= await spawnVercelRelay(sim.url, variant);
        await settle(sim);
        const r = await vercelFault(sim, proc, fault, cfg.idleTimeoutMs);
        if (r.alive && r.leftOpen) {
          // Only its end closes that request; the next fault starts with a fresh process.
          out[fault][peerOf(variant)] =
            `${r.seen}; the process survives (the bench then ended it to close that request)`;
          await proc.kill();
          proc = null;
        } else if (r.alive) out[fault][peerOf(variant)] = `${r.seen}; the process survives`;
        else {
          const exit = proc.exit;
          out[fault][peerOf(variant)] =
            `${r.seen}; the process CRASHED (exit ${exit?.code ?? exit?.signal}: ${crashLine(proc.stderr())})`;
          proc = null;
        }
        progress('peers-relay', `${fault} ${peerOf(variant)}: ${out[fault][peerOf(variant)] ?? ''}`);
      }
    } finally {
      await proc?.kill();
    }
    // A provider request the killed peer left open ends with it.
    await settle(sim);
  }
  return out;
}

// ───── The run ─────

export async function peersRelay(sim: BenchSim, cfg: PeersRelayConfig): Promise<BenchResult> {
  const began = performance.now();
  const relays: Relays = {
    abort: await startVercelRelay({ simUrl: sim.url, variant: 'abort' }),
    plain: await startVercelRelay({ simUrl: sim.url, variant: 'plain' }),
  };
  let lat, fire, stop;
  try {
    progress('peers-relay', `latency: ${cfg.rounds} rounds × ${PEERS.length} readers`);
    lat = await latency(sim, cfg, relays);
    fire = await firehose(sim, cfg, relays);
    stop = await stops(sim, cfg, relays);
  } finally {
    await relays.abort.close();
    await relays.plain.close();
  }
  const mem = await memory(sim, cfg);
  const fl = await faults(sim, cfg);

  const a = lat['a-sdk'];
  const rows: Row[] = [];
  for (const p of PEERS) {
    const s = lat[p];
    rows.push(
      info(
        `${LABELS[p]}: TTFT · per-event p50 / p99`,
        `${ms(s.ttftMs, 1)} (${x(s.ttftMs / a.ttftMs)}) · ${ms(s.p50Ms)} / ${ms(s.p99Ms)} (p50 ${x(s.p50Ms / a.p50Ms)}, p99 ${x(s.p99Ms / a.p99Ms)})`,
      ),
    );
  }
  for (const p of PEERS)
    rows.push(
      info(
        `${LABELS[p]}: deltas/s, TPOT-0 firehose`,
        `${Math.round(fire.rates[p]).toLocaleString('en-US')}/s (${x(fire.rates[p] / fire.rates['a-sdk'])})`,
      ),
    );
  for (const p of ['d-serve', 'c-ipc', 'v-abort', 'v-plain'] as const) {
    const m = mem.faces[p];
    const half = `${cfg.windowMs / 2000} s`;
    rows.push(
      info(
        `${LABELS[p]}, ${kb(cfg.readBytesPerSecond)}/s reader for ${cfg.windowMs / 1000} s: heap after GC, growth over the window · in its second half (peak RSS growth)`,
        `${mb(m.heapGrowthAfterGc)} · ${mb(m.secondHalfHeapGrowth)}, ${m.bounded ? 'bounded' : 'NOT bounded'} (${mb(m.rssGrowth)})`,
      ),
      info(
        `${LABELS[p]}, same reader: provider wrote, first ${half} · second ${half}, for what the reader read · after the reader left`,
        `${mb(m.providerFirstHalf)} · ${mb(m.providerSecondHalf)}, for ${kb(m.consumerBytes)} · ${m.afterReaderLeft}`,
      ),
    );
  }
  for (const p of PEERS) {
    const s = stop[p];
    rows.push(
      info(
        `${LABELS[p]}: Stop → upstream closed p50 / p99 · tokens generated after Stop, median / max · provider end`,
        `${ms(s.p50Ms)} / ${ms(s.p99Ms)} · ${s.medianAfterStop} / ${s.maxAfterStop} · ${s.reasons}`,
      ),
    );
  }
  for (const fault of FAULTS)
    for (const p of ['d-serve', 'c-ipc', 'v-abort', 'v-plain'] as const)
      rows.push(info(`${LABELS[p]}: ${FAULT_LABELS[fault]}`, fl[fault][p] ?? 'not measured'));

  const notes = [
    `Peer: \`ai\` 6 with \`@ai-sdk/anthropic\` (devDependencies), bench/lib/vercel-face.ts — a Node HTTP server doing \`streamText({ model: createAnthropic({ baseURL: sim })(scenario), messages: await convertToModelMessages(messages) })\` → \`result.pipeUIMessageStreamToResponse(res)\`, every option at its default (maxRetries 2, onError masking, no timeout); (v) adds \`abortSignal\` aborted on the response's close, (v′) has none. Its client is the SDK's browser transport (DefaultChatTransport, as useChat), stamping each text-delta chunk; Stop is an abort of that fetch, as useChat's stop().`,
    `Latency: sim-text's 300-delta answer, TTFT ${cfg.ttftMs} ms, TPOT ${cfg.tpotMs} ms, ${cfg.rounds} interleaved rounds (order rotated) after a discarded warm-up each; p50/p99 pool every event (${a.events} per reader), ratios to (a). (a), (c), (d) are the readers of the relay benchmark (1.). ${PEERS.filter((p) => lat[p].runsWithCountMismatch > 0).length === 0 ? 'Every reader saw exactly as many deltas as the provider wrote.' : `Delta counts differed (merged) for ${PEERS.filter((p) => lat[p].runsWithCountMismatch > 0).join(', ')}.`}`,
    `Deltas/s: ${cfg.firehoseTokens.toLocaleString('en-US')} deltas at TPOT 0, ${cfg.firehoseRounds} rounds, median; rate = provider deltas / (last − first delta at the reader). serve's relay asks through the pass-through hop (bench/lib/upstream-proxy.ts). The peer's final text ${fire.peerTextExact ? 'was exact in every run' : 'DIFFERED from the provider’s'}.`,
    `Memory: the provider asked for ${mem.tokens.toLocaleString('en-US')} deltas at TPOT 0 through the pass-through hop (serve and the peer alike), read at ${kb(cfg.readBytesPerSecond)}/s by a raw HTTP reader (the IPC face: a page that acks a batch only once it has read its bytes), as in 3. Backpressure but over ${cfg.windowMs / 1000} s. Heap after a forced GC: for serve and IPC of this process, which also holds the provider and the reader; for the peer of its own process (bench/lib/vercel-child.ts, asked over IPC), the relay alone. "Bounded": between the window's middle and its end (a GC at each) the heap after GC grew by at most 1 MB, or a tenth of what the provider wrote meanwhile. Provider bytes alone cannot tell a paused provider here: in the first seconds every path fills loopback socket buffers of several MB (serve and the peer have the pass-through hop too), and the peer reads its upstream in bursts as fast as its own CPU allows; where the bytes sit — kernel buffers or the relay's heap — is the difference.`,
    `Stop: ${cfg.abortsPerFace} per reader, interleaved, TPOT ${cfg.cancelTpotMs} ms, at a seeded random moment 0–${cfg.cancelTpotMs * 12} ms after the first delta; "upstream closed" is the simulated provider's end entry, whatever its reason (client-closed: it saw the socket close; complete: it finished the answer), and tokens after Stop = its tokensGenerated − deltas the reader had seen.`,
    `Faults: serve and IPC in this process with idleTimeoutMs ${cfg.idleTimeoutMs} ms (serve keeps its whole-turn retry; the IPC face makes one request); the peer in a process of its own (bench/lib/vercel-child.ts) so a crash shows as its exit, probed with a fresh turn after each fault and restarted after a crash; its stall is watched for ${(2 * cfg.idleTimeoutMs) / 1000} s. The client cut reads 2 KB of the answer, then destroys its socket. \`ai\` 6 has an opt-in \`timeout: { chunkMs }\` for streamText that neither variant sets.`,
  ];
  return {
    id: 'peers-relay',
    title: '1′. Relay beside the Vercel AI SDK',
    rows,
    notes,
    data: { config: cfg, latency: lat, firehose: fire, memory: mem, stop, faults: fl },
    seconds: (performance.now() - began) / 1000,
  };
}
