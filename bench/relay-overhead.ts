// 1. Relay overhead: the same stream read by six consumers, in interleaved rounds: four on the
// Anthropic Messages API and two on OpenAI Chat Completions. Per-event latency is the consumer's
// stamp minus the simulated provider's write time of the same text delta (matched by order);
// TTFT is request start to the first delta's stamp.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { RelayEvent } from '../src/shared/protocol';
import { isDelta, runBenchTurn, StampingSink } from './lib/engine-face';
import { byFace, FACES, type Face } from './lib/faces';
import { startIpcTurn } from './lib/ipc-face';
import { check, info, ms, progress, x, type BenchResult } from './lib/result';
import { startBenchServe, streamServeTurn, type BenchServe } from './lib/serve-face';
import { simHeaders, type BenchSim } from './lib/sim';
import { median, percentile, rotate } from './lib/stats';

export type RelayOverheadConfig = {
  rounds: number;
  ttftMs: number;
  tpotMs: number;
  /** The simulated answer's length in deltas: its default (300), which serve's settings cannot change. */
  tokens: number;
  staticDir: string;
};

const LABELS: Record<Face, string> = {
  'a-sdk': '(a) Anthropic SDK direct',
  'a-openai': '(a′) openai SDK direct',
  'b-engine': '(b) relay engine sink',
  'c-ipc': '(c) IPC → page reducer',
  'c-openai': '(c′) IPC → page reducer via the OpenAI adapter',
  'd-serve': '(d) serve SSE client',
};

export const PROMPT = 'How does a relay keep a token stream live?';

export type Run = { t0: number; stamps: number[]; merged: number };

/** One turn read by `who`, each text delta stamped as it reaches the reader. */
export async function runConsumer(
  who: Face,
  sim: BenchSim,
  serve: BenchServe,
  timing: { ttftMs: number; tpotMs: number; tokens?: number },
): Promise<Run> {
  const headers = simHeaders(timing);
  const maxTokens = Math.max(4096, timing.tokens ?? 0);
  const stamps: number[] = [];
  const t0 = performance.now();
  switch (who) {
    case 'a-sdk': {
      const client = new Anthropic({ baseURL: sim.url, apiKey: 'x', maxRetries: 0, defaultHeaders: headers });
      const stream = await client.messages.create({
        model: 'sim-text',
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: PROMPT }],
        stream: true,
      });
      for await (const event of stream) {
        if (event.type === 'content_block_delta') stamps.push(performance.now());
      }
      return { t0, stamps, merged: 0 };
    }
    case 'a-openai': {
      const client = new OpenAI({
        baseURL: `${sim.url}/v1`,
        apiKey: 'x',
        maxRetries: 0,
        defaultHeaders: headers,
      });
      const stream = await client.chat.completions.create({
        model: 'sim-text',
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: PROMPT }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) stamps.push(performance.now());
      }
      return { t0, stamps, merged: 0 };
    }
    case 'b-engine': {
      const sink = new StampingSink();
      const result = await runBenchTurn({ baseURL: sim.url, headers, prompt: PROMPT, maxTokens, sink });
      return { t0, stamps: sink.stamps, merged: result.mergedEvents };
    }
    case 'c-ipc':
    case 'c-openai': {
      const turn = startIpcTurn({
        baseURL: sim.url,
        wire: who === 'c-openai' ? 'openai' : 'anthropic',
        headers,
        prompt: PROMPT,
        maxTokens,
        onApplied: (batch) => {
          const at = performance.now();
          for (const { event } of batch) if (isDelta(event)) stamps.push(at);
        },
      });
      const { result } = await turn.done;
      return { t0, stamps, merged: result.mergedEvents };
    }
    case 'd-serve': {
      await streamServeTurn(serve, {
        text: PROMPT,
        onEvent: (event: RelayEvent) => {
          if (isDelta(event)) stamps.push(performance.now());
        },
      });
      return { t0, stamps, merged: serve.reports.at(-1)?.mergedEvents ?? 0 };
    }
  }
}

type Samples = { ttft: number[]; latency: number[]; merged: number; mismatched: number };

/**
 * Adds a run's TTFT and per-event latencies (each stamp minus the provider's write of the same
 * delta, matched by order) to `s`; returns the TTFT.
 */
export function record(
  s: Pick<Samples, 'ttft' | 'latency' | 'mismatched'>,
  run: Pick<Run, 't0' | 'stamps'>,
  writes: readonly { t: number }[],
): number {
  if (writes.length !== run.stamps.length) s.mismatched += 1;
  const n = Math.min(writes.length, run.stamps.length);
  for (let i = 0; i < n; i++) s.latency.push((run.stamps[i] as number) - (writes[i] as { t: number }).t);
  const ttft = (run.stamps[0] ?? Number.NaN) - run.t0;
  s.ttft.push(ttft);
  return ttft;
}

export async function relayOverhead(sim: BenchSim, cfg: RelayOverheadConfig): Promise<BenchResult> {
  const began = performance.now();
  const timing = { ttftMs: cfg.ttftMs, tpotMs: cfg.tpotMs };
  const serve = await startBenchServe({
    simUrl: sim.url,
    staticDir: cfg.staticDir,
    settings: { sim: { scenario: 'sim-text', ...timing }, maxTokens: 4096 },
  });
  const fresh = (): Samples => ({ ttft: [], latency: [], merged: 0, mismatched: 0 });
  const samples = byFace(fresh);
  sim.keepWrites = true;
  try {
    // Warm-up: one fast run each (JIT, connection pools, the first conversation file), discarded.
    await serve.patchSettings({ sim: { ttftMs: 0, tpotMs: 0 } });
    for (const who of FACES) {
      await runConsumer(who, sim, serve, { ttftMs: 0, tpotMs: 0 });
      sim.forget((await sim.nextEnd()).requestId);
    }
    await serve.patchSettings({ sim: timing });
    progress(
      'relay',
      `warm; ${cfg.rounds} rounds × ${FACES.length} consumers × ${cfg.tokens} deltas at ${cfg.tpotMs} ms`,
    );

    for (let round = 0; round < cfg.rounds; round++) {
      const line: string[] = [];
      for (const who of rotate(FACES, round)) {
        const run = await runConsumer(who, sim, serve, timing);
        const end = await sim.nextEnd();
        const writes = sim.deltaWrites(end.requestId);
        sim.forget(end.requestId);
        const s = samples[who];
        s.merged += run.merged;
        const ttft = record(s, run, writes);
        line.push(`${who} ttft ${ttft.toFixed(1)}`);
      }
      progress('relay', `round ${round + 1}/${cfg.rounds}: ${line.join(', ')}`);
    }
  } finally {
    await serve.close();
  }

  const stats = byFace((c) => {
    const s = samples[c];
    return {
      ttftMs: median(s.ttft),
      ttftRuns: s.ttft,
      p50Ms: percentile(s.latency, 50),
      p99Ms: percentile(s.latency, 99),
      events: s.latency.length,
      mergedEvents: s.merged,
      runsWithCountMismatch: s.mismatched,
    };
  });
  // Each consumer's ratios are to the SDK read directly on its own wire.
  const baseline = (c: Face) => stats[c === 'a-openai' || c === 'c-openai' ? 'a-openai' : 'a-sdk'];
  const rows = FACES.map((c) => {
    const s = stats[c];
    const a = baseline(c);
    return info(
      `${LABELS[c]}: TTFT · per-event p50 / p99`,
      `${ms(s.ttftMs, 1)} (${x(s.ttftMs / a.ttftMs)}) · ${ms(s.p50Ms)} / ${ms(s.p99Ms)} (p50 ${x(s.p50Ms / a.p50Ms)}, p99 ${x(s.p99Ms / a.p99Ms)})`,
    );
  });
  for (const [c, a, n] of [
    ['c-ipc', 'a-sdk', ''],
    ['c-openai', 'a-openai', '′'],
  ] as const) {
    const ttftRatio = stats[c].ttftMs / stats[a].ttftMs;
    const addedP50 = stats[c].p50Ms - stats[a].p50Ms;
    rows.push(check(`TTFT ratio (c${n})/(a${n})`, x(ttftRatio), '≤ ×1.05', ttftRatio <= 1.05));
    rows.push(check(`Added per-event p50, (c${n}) − (a${n})`, ms(addedP50, 3), '≤ 1 ms', addedP50 <= 1));
  }
  for (const c of ['c-ipc', 'd-serve'] as const) {
    const ratio = stats[c].p99Ms / stats['a-sdk'].p99Ms;
    rows.push(check(`Per-event p99, ${c === 'c-ipc' ? '(c)' : '(d)'}/(a)`, x(ratio), '≤ ×1.5', ratio <= 1.5));
  }
  const a = stats['a-sdk'];
  const mismatches = FACES.filter((k) => stats[k].runsWithCountMismatch > 0 || stats[k].mergedEvents > 0);
  const notes = [
    `Simulated sim-text answer of ${cfg.tokens} deltas, TTFT ${cfg.ttftMs} ms, TPOT ${cfg.tpotMs} ms; ${cfg.rounds} interleaved rounds (order rotated each round) after one discarded warm-up run per consumer. TTFT is the median over rounds; p50/p99 pool every event of every round (${a.events} events per consumer).`,
    '(a) is the Anthropic SDK (`messages.create`, stream: true) on POST /v1/messages, stamping each content_block_delta; (a′) is the openai SDK (`chat.completions.create`, stream: true, include_usage) on POST /v1/chat/completions of the same simulated provider, stamping each raw chunk with a non-empty choices[0].delta.content. (b) and (c) run the engine on ProviderClient (Anthropic SDK); (c′) is (c) with the engine on OpenAIProvider (the OpenAI-compatible adapter, its chunks translated into the shared wire). (c′) and (a′) are compared on the Chat Completions wire, everything else to (a).',
    '(c) and (c′) are runTurn → PortSink → worker_threads MessageChannel → createPortClient → the shared turn reducer applied per batch, stamped after each batch is applied; they have no ChatService (no conversation saves). (d) is the full `sluice serve` path (Anthropic wire): ChatService (saves included) → SseSink → HTTP → eventsource-parser + JSON.parse.',
    mismatches.length === 0
      ? 'Every run: the consumer saw exactly as many deltas as the provider wrote (no merging), so matching by order is exact.'
      : `Delta counts differed from the provider's (merged deltas) for: ${mismatches.join(', ')} — their per-event numbers are matched by order and are approximate.`,
  ];
  return {
    id: 'relay-overhead',
    title: '1. Relay overhead',
    rows,
    notes,
    data: { config: cfg, consumers: stats },
    seconds: (performance.now() - began) / 1000,
  };
}
