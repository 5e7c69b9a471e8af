// 3. Backpressure: a consumer reading 16 KB/s while the provider could produce 50 MB at TPOT 0.
// For a fixed window we watch the process's memory, the engine's backlog and (serve) the
// response's user-space buffer, and compare what the provider wrote with what the consumer read;
// then the consumer aborts. Two faces: `sluice serve` (a slow HTTP reader) and the desktop IPC
// transport (a slow page that acknowledges a batch only once it has "read" its bytes).
import type { IncomingMessage } from 'node:http';
import { createParser } from 'eventsource-parser';
import { createRng, hashString } from '../src/main/providers/simulated/rng';
import { markdownTokens, topicOf } from '../src/main/providers/simulated/text';
import type { RelayEvent } from '../src/shared/protocol';
import { startIpcTurn } from './lib/ipc-face';
import { thisProcess, type MemorySample, type ProcessMemory } from './lib/memory';
import { check, info, kb, mb, progress, type BenchResult, type Row } from './lib/result';
import { openServeTurn, startLongAnswerServe } from './lib/serve-face';
import { simHeaders, type BenchSim } from './lib/sim';
import { sleep } from './lib/stats';

export type BackpressureConfig = {
  windowMs: number;
  readBytesPerSecond: number;
  /** What the provider is asked for, in bytes of SSE. */
  providerBytes: number;
  staticDir: string;
};

const TICK_MS = 100;
export const PROMPT = 'A very long answer for a very slow reader';
const GROWTH_LIMIT = 32 * 1024 * 1024;
/** The engine's default bound on what it holds for a full sink (characters). */
const PENDING_LIMIT = 256 * 1024;

export type Consumed = { bytes: number; chars: number };
export type Counters = { providerBytes: number; providerDeltas: number; consumer: Consumed };

/** Text characters carried by relay events' text deltas. */
const textChars = (events: readonly RelayEvent[]): number =>
  events.reduce(
    (n, e) =>
      n +
      (e.type === 'provider' && e.event.type === 'content_block_delta' && e.event.delta.type === 'text_delta'
        ? e.event.delta.text.length
        : 0),
    0,
  );

/** Samples memory and the counters through the window. */
export async function watch(
  cfg: Pick<BackpressureConfig, 'windowMs'>,
  sim: BenchSim,
  consumed: () => Consumed,
  label: string,
  memory: ProcessMemory = thisProcess,
  /** Also take a collected sample at the window's middle (a forced GC there). */
  collectAtMid = false,
) {
  const counters = (): Counters => ({
    providerBytes: sim.latest()?.bytes ?? 0,
    providerDeltas: sim.latest()?.deltas ?? 0,
    consumer: { ...consumed() },
  });
  const base = await memory.collected();
  let peak: MemorySample = base;
  const started = performance.now();
  let mid: Counters | null = null;
  let midMemory: MemorySample | null = null;
  let nextReport = 3000;
  while (performance.now() - started < cfg.windowMs) {
    await sleep(250);
    const s = await memory.sample();
    peak = { ...peak, rss: Math.max(peak.rss, s.rss), heapUsed: Math.max(peak.heapUsed, s.heapUsed) };
    const elapsed = performance.now() - started;
    if (!mid && elapsed >= cfg.windowMs / 2) {
      mid = counters();
      if (collectAtMid) midMemory = await memory.collected();
    }
    if (elapsed >= nextReport) {
      nextReport += 3000;
      const c = counters();
      progress(
        'backpressure',
        `${label} ${(elapsed / 1000).toFixed(0)} s: provider wrote ${mb(c.providerBytes)}, consumer read ${kb(c.consumer.bytes)}, RSS ${s.rss >= base.rss ? '+' : '−'}${mb(Math.abs(s.rss - base.rss))}`,
      );
    }
  }
  const end = counters();
  const after = await memory.collected();
  return { base, peak, after, mid: mid ?? end, midMemory, end };
}

/** Text characters in one SSE `data:` payload of `sluice serve` (a relay event). */
const relayTextChars = (data: string): number => textChars([JSON.parse(data) as RelayEvent]);

/**
 * Reads `res` at a fixed byte rate (a token bucket refilled every tick), parsing what it reads;
 * `charsOf` counts the answer text in one SSE message's data.
 */
export function slowReader(
  res: IncomingMessage,
  bytesPerSecond: number,
  charsOf: (data: string) => number = relayTextChars,
) {
  const consumed: Consumed = { bytes: 0, chars: 0 };
  const parser = createParser({ onEvent: (m) => (consumed.chars += charsOf(m.data)) });
  const decoder = new TextDecoder();
  let budget = 0;
  res.pause();
  // A 'readable' listener keeps the stream in paused mode and its buffer filling.
  res.on('readable', () => {});
  const timer = setInterval(() => {
    budget += (bytesPerSecond * TICK_MS) / 1000;
    while (budget >= 1) {
      const n = Math.min(Math.floor(budget), res.readableLength);
      if (n === 0) {
        // Nothing buffered: ask the stream to fill its buffer for the next tick.
        res.read(0);
        break;
      }
      const chunk = res.read(n) as Buffer | null;
      if (!chunk) break;
      consumed.bytes += chunk.length;
      budget -= chunk.length;
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
  }, TICK_MS);
  return { consumed: () => consumed, stop: () => clearInterval(timer) };
}

type FaceResult = {
  face: 'serve' | 'ipc';
  providerBytesRequested: number;
  start: Counters;
  mid: Counters;
  end: Counters;
  rssGrowth: number;
  heapGrowthPeak: number;
  heapGrowthAfterGc: number;
  peakPending: number;
  peakResponseBuffer: number | null;
  outcome: string;
};

export async function viaServe(sim: BenchSim, cfg: BackpressureConfig, tokens: number, collectAtMid = false) {
  const serve = await startLongAnswerServe(sim.url, cfg.staticDir, tokens);
  try {
    const turn = await openServeTurn(serve, PROMPT);
    const reader = slowReader(turn.res, cfg.readBytesPerSecond);
    const w = await watch(cfg, sim, reader.consumed, 'serve', thisProcess, collectAtMid);
    reader.stop();
    turn.destroy();
    while (serve.reports.length === 0) await sleep(10);
    const report = serve.reports[0];
    const end = await sim.nextEnd();
    sim.forget(end.requestId);
    return {
      w,
      peakPending: report?.peakPending ?? Number.NaN,
      peakResponseBuffer: report?.sse.peakBufferedBytes ?? Number.NaN,
      outcome: `relay ${report?.outcome ?? '?'}, provider ${end.reason}`,
    };
  } finally {
    await serve.close();
  }
}

export async function viaIpc(sim: BenchSim, cfg: BackpressureConfig, tokens: number, collectAtMid = false) {
  const consumed: Consumed = { bytes: 0, chars: 0 };
  let budget = 0;
  const waiting: { bytes: number; chars: number; send: () => void }[] = [];
  const pay = () => {
    while (waiting.length > 0 && budget >= (waiting[0]?.bytes ?? 0)) {
      const next = waiting.shift() as (typeof waiting)[number];
      budget -= next.bytes;
      consumed.bytes += next.bytes;
      consumed.chars += next.chars;
      next.send();
    }
    // An idle reader does not bank a budget for later.
    if (waiting.length === 0) budget = Math.min(budget, (cfg.readBytesPerSecond * TICK_MS) / 1000);
  };
  const timer = setInterval(() => {
    budget += (cfg.readBytesPerSecond * TICK_MS) / 1000;
    pay();
  }, TICK_MS);
  const turn = startIpcTurn({
    baseURL: sim.url,
    headers: simHeaders({ ttftMs: 0, tpotMs: 0, tokens }),
    prompt: PROMPT,
    maxTokens: tokens,
    sendAck: (send, data) => {
      const events = (data as { events: RelayEvent[] }).events;
      waiting.push({ bytes: JSON.stringify(data).length, chars: textChars(events), send });
    },
  });
  try {
    const w = await watch(cfg, sim, () => consumed, 'ipc', thisProcess, collectAtMid);
    turn.abort();
    // From here the page reads freely, so Stop's terminal arrives.
    budget = Number.POSITIVE_INFINITY;
    pay();
    const { result } = await turn.done;
    const end = await sim.nextEnd();
    sim.forget(end.requestId);
    return {
      w,
      peakPending: result.peakPending,
      peakResponseBuffer: null,
      outcome: `relay ${result.outcome}, provider ${end.reason}`,
    };
  } finally {
    clearInterval(timer);
  }
}

/** Text the provider produced and the consumer read in the window's second half, and whether the provider was held back. */
export function pausedIn(mid: Counters, end: Counters, charsPerDelta: number) {
  const providerChars = (end.providerDeltas - mid.providerDeltas) * charsPerDelta;
  const consumerChars = end.consumer.chars - mid.consumer.chars;
  // In steady state a held-back provider produces text as fast as the consumer reads it; the
  // engine's bound on what it holds is the most the two may differ by within the window.
  return { providerChars, consumerChars, paused: providerChars <= consumerChars + PENDING_LIMIT };
}

/** sim-text's mean characters per delta for `prompt`, measured on a sample of its answer. */
export function charsPerDeltaOf(prompt: string, sampleTokens = 20_000): number {
  return (
    [...markdownTokens(createRng(hashString(prompt)), topicOf(prompt), sampleTokens)].join('').length /
    sampleTokens
  );
}

function rowsOf(r: FaceResult, windowMs: number, charsPerDelta: number): Row[] {
  const half = `${windowMs / 2000} s`;
  const { providerChars, consumerChars, paused } = pausedIn(r.mid, r.end, charsPerDelta);
  const growth = Math.max(r.rssGrowth, r.heapGrowthAfterGc);
  const label = r.face === 'serve' ? 'serve (HTTP reader)' : 'IPC (slow page)';
  return [
    check(
      `${label}: memory growth, peak RSS · heap after GC (peak heap incl. garbage)`,
      `${mb(r.rssGrowth)} · ${mb(r.heapGrowthAfterGc)} (${mb(r.heapGrowthPeak)})`,
      '< 32 MB',
      growth < GROWTH_LIMIT,
    ),
    check(
      `${label}: provider paused — text produced vs read in the last ${half}`,
      `${Math.round(providerChars / 1024)} K vs ${Math.round(consumerChars / 1024)} K chars`,
      'produced ≤ read + 256 K',
      paused,
    ),
    info(
      `${label}: provider wrote · consumer read, after ${windowMs / 1000} s`,
      `${mb(r.end.providerBytes)} of ${mb(r.providerBytesRequested)} (${((100 * r.end.providerBytes) / r.providerBytesRequested).toFixed(1)}%) · ${kb(r.end.consumer.bytes)}`,
    ),
    info(
      `${label}: engine peakPending${r.peakResponseBuffer === null ? '' : ' · peak res.writableLength'}`,
      `${Math.round(r.peakPending / 1024)} K chars${r.peakResponseBuffer === null ? '' : ` · ${kb(r.peakResponseBuffer)}`}`,
    ),
  ];
}

export async function backpressure(sim: BenchSim, cfg: BackpressureConfig): Promise<BenchResult> {
  const began = performance.now();
  sim.keepWrites = false;
  // sim-text deltas average ~6 characters and ~120 bytes of SSE: measure both on a sample.
  const charsPerDelta = charsPerDeltaOf(PROMPT);
  const tokens = Math.ceil(cfg.providerBytes / 100);
  const faces: FaceResult[] = [];
  try {
    for (const face of ['serve', 'ipc'] as const) {
      progress(
        'backpressure',
        `${face}: reading ${kb(cfg.readBytesPerSecond)}/s for ${cfg.windowMs / 1000} s`,
      );
      const run = face === 'serve' ? await viaServe(sim, cfg, tokens) : await viaIpc(sim, cfg, tokens);
      const { w } = run;
      faces.push({
        face,
        providerBytesRequested: (w.end.providerBytes / Math.max(1, w.end.providerDeltas)) * tokens,
        start: { providerBytes: 0, providerDeltas: 0, consumer: { bytes: 0, chars: 0 } },
        mid: w.mid,
        end: w.end,
        rssGrowth: w.peak.rss - w.base.rss,
        heapGrowthPeak: w.peak.heapUsed - w.base.heapUsed,
        heapGrowthAfterGc: w.after.heapUsed - w.base.heapUsed,
        peakPending: run.peakPending,
        peakResponseBuffer: run.peakResponseBuffer,
        outcome: run.outcome,
      });
    }
  } finally {
    sim.keepWrites = true;
  }
  return {
    id: 'backpressure',
    title: '3. Backpressure',
    rows: faces.flatMap((f) => rowsOf(f, cfg.windowMs, charsPerDelta)),
    notes: [
      `The provider was asked for ${tokens.toLocaleString('en-US')} deltas at TPOT 0 (≈ ${mb(faces[0]?.providerBytesRequested ?? 0)} of SSE). The consumer read ${kb(cfg.readBytesPerSecond)}/s for ${cfg.windowMs / 1000} s, then aborted (${faces.map((f) => `${f.face}: ${f.outcome}`).join('; ')}). Memory is this whole process (relay, provider and consumer share it); the baseline is taken after a forced GC. RSS seldom shrinks, so after earlier benchmarks its growth can read 0: the heap after a GC is the live-memory figure.`,
      `Bytes cannot be compared one to one: provider SSE frames cost ~${Math.round((faces[1]?.end.providerBytes ?? 0) / Math.max(1, (faces[1]?.end.providerDeltas ?? 0) * charsPerDelta))} bytes per text character, while the relay merges deltas while its consumer is behind. "Paused" is therefore judged in text characters (provider deltas × ${charsPerDelta.toFixed(2)} chars). What the provider wrote beyond what was read sits in kernel socket buffers (loopback autotuning reaches several MB per socket; the serve face has one more hop, the pass-through that asks for the long answer) and in the engine's bounded backlog.`,
    ],
    data: { config: cfg, tokens, charsPerDelta, faces },
    seconds: (performance.now() - began) / 1000,
  };
}
