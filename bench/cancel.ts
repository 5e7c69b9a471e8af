// 4. Cancel: Stop at a random moment mid-stream, then time from the abort call to the simulated
// provider's `client-closed` log entry (it sees its socket close), and count the tokens it
// generated that the consumer never saw. Faces interleaved, each Stop the way that face's UI does it;
// the primed faces on OpenAI Chat Completions, the others on the Anthropic Messages API.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { RelayEvent } from '../src/shared/protocol';
import { isDelta, runBenchTurn, StampingSink } from './lib/engine-face';
import { byFace, FACES, type Face } from './lib/faces';
import { startIpcTurn } from './lib/ipc-face';
import { check, info, ms, progress, type BenchResult } from './lib/result';
import { startBenchServe, streamServeTurn, type BenchServe } from './lib/serve-face';
import { simHeaders, type BenchSim } from './lib/sim';
import { percentile, rotate, seeded, sleep } from './lib/stats';

export type CancelConfig = { abortsPerFace: number; tpotMs: number; staticDir: string };

const LABELS: Record<Face, string> = {
  'a-sdk': '(a) Anthropic SDK direct, AbortController',
  'a-openai': '(a′) openai SDK direct, AbortController',
  'b-engine': '(b) relay engine, turn signal',
  'c-ipc': '(c) IPC, page sends Stop',
  'c-openai': '(c′) IPC via the OpenAI adapter, page sends Stop',
  'd-serve': '(d) serve, POST /api/turns/:id/abort',
};
const PROMPT = 'Tell me something long enough to interrupt';

export type Attempt = { abortAt: number; seen: () => number; done: Promise<unknown> };

/** Starts a stream and hands back a way to stop it once `stopAfterMs` have passed since the first delta. */
export async function startFace(
  face: Face,
  sim: BenchSim,
  serve: BenchServe,
  tpotMs: number,
  stopAfterMs: number,
): Promise<Attempt> {
  const headers = simHeaders({ ttftMs: 0, tpotMs });
  let seen = 0;
  let firstDelta!: () => void;
  const started = new Promise<void>((resolve) => (firstDelta = resolve));
  const onDelta = () => {
    seen += 1;
    if (seen === 1) firstDelta();
  };
  let abort: () => void;
  let done: Promise<unknown>;
  switch (face) {
    case 'a-sdk': {
      const controller = new AbortController();
      const client = new Anthropic({ baseURL: sim.url, apiKey: 'x', maxRetries: 0, defaultHeaders: headers });
      done = (async () => {
        try {
          const stream = await client.messages.create(
            {
              model: 'sim-text',
              max_tokens: 4096,
              messages: [{ role: 'user', content: PROMPT }],
              stream: true,
            },
            { signal: controller.signal },
          );
          for await (const event of stream) if (event.type === 'content_block_delta') onDelta();
        } catch {
          // The abort surfaces as an error here; that is the point.
        }
      })();
      abort = () => controller.abort();
      break;
    }
    case 'a-openai': {
      const controller = new AbortController();
      const client = new OpenAI({
        baseURL: `${sim.url}/v1`,
        apiKey: 'x',
        maxRetries: 0,
        defaultHeaders: headers,
      });
      done = (async () => {
        try {
          const stream = await client.chat.completions.create(
            {
              model: 'sim-text',
              max_tokens: 4096,
              messages: [{ role: 'user', content: PROMPT }],
              stream: true,
              stream_options: { include_usage: true },
            },
            { signal: controller.signal },
          );
          for await (const chunk of stream) if (chunk.choices[0]?.delta.content) onDelta();
        } catch {
          // The abort surfaces as an error here; that is the point.
        }
      })();
      abort = () => controller.abort();
      break;
    }
    case 'b-engine': {
      const controller = new AbortController();
      done = runBenchTurn({
        baseURL: sim.url,
        headers,
        prompt: PROMPT,
        maxTokens: 4096,
        sink: new StampingSink(onDelta),
        signal: controller.signal,
      });
      abort = () => controller.abort('user');
      break;
    }
    case 'c-ipc':
    case 'c-openai': {
      let counted = 0;
      const turn = startIpcTurn({
        baseURL: sim.url,
        wire: face === 'c-openai' ? 'openai' : 'anthropic',
        headers,
        prompt: PROMPT,
        maxTokens: 4096,
        onApplied: (batch) => {
          for (const { event } of batch) if (isDelta(event)) onDelta();
          counted = seen;
        },
      });
      done = turn.done.then(() => counted);
      abort = () => turn.abort();
      break;
    }
    case 'd-serve': {
      let turnId: string | null = null;
      done = streamServeTurn(serve, {
        text: PROMPT,
        onEvent: (event: RelayEvent) => {
          if (event.type === 'turn_start') turnId = event.turnId;
          if (isDelta(event)) onDelta();
        },
      });
      // The browser client's Stop: ask the server, keep reading until the terminal event.
      abort = () =>
        void fetch(`${serve.server.origin}/api/turns/${turnId ?? ''}/abort`, {
          method: 'POST',
          headers: { authorization: `Bearer ${serve.server.token}` },
        });
      break;
    }
  }
  await started;
  await sleep(stopAfterMs);
  const abortAt = performance.now();
  abort();
  return { abortAt, seen: () => seen, done };
}

type Sample = { closeMs: number; unseen: number; writtenAfterAbort: number };

export async function cancel(sim: BenchSim, cfg: CancelConfig): Promise<BenchResult> {
  const began = performance.now();
  sim.keepWrites = true;
  const random = seeded(42);
  const serve = await startBenchServe({
    simUrl: sim.url,
    staticDir: cfg.staticDir,
    settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: cfg.tpotMs } },
  });
  const samples = byFace((): Sample[] => []);
  try {
    for (let i = 0; i < cfg.abortsPerFace; i++) {
      for (const face of rotate(FACES, i)) {
        // Anywhere from the first delta to ~12 deltas in, never aligned with the provider's beat.
        const stopAfterMs = random() * cfg.tpotMs * 12;
        const attempt = await startFace(face, sim, serve, cfg.tpotMs, stopAfterMs);
        const end = await sim.nextEnd();
        await attempt.done;
        const closedAt = sim.endedAt(end.requestId) ?? Number.NaN;
        const writtenAfterAbort = sim.deltaWrites(end.requestId).filter((w) => w.t > attempt.abortAt).length;
        sim.forget(end.requestId);
        samples[face].push({
          closeMs: end.reason === 'client-closed' ? closedAt - attempt.abortAt : Number.NaN,
          unseen: end.tokensGenerated - attempt.seen(),
          writtenAfterAbort,
        });
      }
      if ((i + 1) % 10 === 0) progress('cancel', `${i + 1}/${cfg.abortsPerFace} aborts per face`);
    }
  } finally {
    await serve.close();
  }

  const stats = byFace((f) => {
    const s = samples[f];
    const close = s.map((x) => x.closeMs);
    return {
      p50Ms: percentile(close, 50),
      p99Ms: percentile(close, 99),
      notClosed: close.filter((v) => Number.isNaN(v)).length,
      maxUnseen: Math.max(...s.map((x) => x.unseen)),
      maxWrittenAfterAbort: Math.max(...s.map((x) => x.writtenAfterAbort)),
    };
  });

  const rows = FACES.map((f) =>
    info(
      `${LABELS[f]}: abort → upstream closed p50 / p99 · max tokens unseen`,
      `${ms(stats[f].p50Ms)} / ${ms(stats[f].p99Ms)} · ${stats[f].maxUnseen}`,
    ),
  );
  const checked = (f: Face, measure: string) => {
    const s = stats[f];
    return check(
      measure,
      `${ms(s.p50Ms)}; ${s.maxUnseen}${s.notClosed ? ` (${s.notClosed} runs ended otherwise)` : ''}`,
      '< 10 ms; ≤ 1',
      s.p50Ms < 10 && s.maxUnseen <= 1 && s.notClosed === 0,
    );
  };
  for (const f of ['b-engine', 'c-ipc', 'd-serve'] as const)
    rows.push(checked(f, `${LABELS[f]}: p50 abort → closed; max tokens generated but unseen`));
  rows.push(
    checked(
      'c-openai',
      `cancel p50 (OpenAI-compatible path), ${LABELS['c-openai']}: abort → closed; max tokens generated but unseen`,
    ),
  );
  return {
    id: 'cancel',
    title: '4. Cancel',
    rows,
    notes: [
      `${cfg.abortsPerFace} aborts per face, faces interleaved (order rotated each round); (a) and (b)–(d) on the Anthropic Messages API (POST /v1/messages), (a′) and (c′) on OpenAI Chat Completions (POST /v1/chat/completions): (a′) is the openai SDK read directly, (c′) the IPC face with the engine on OpenAIProvider (the OpenAI-compatible adapter). Deltas are answer-text deltas on both wires; TPOT ${cfg.tpotMs} ms, Stop at a seeded random moment 0–${cfg.tpotMs * 12} ms after the first delta. "Closed" is the simulated provider's log entry with reason client-closed (it saw the socket close). Tokens unseen = the provider's tokensGenerated − deltas the consumer received in total; the most deltas the provider wrote after an abort() call in any run: ${Math.max(...FACES.map((f) => stats[f].maxWrittenAfterAbort))}.`,
    ],
    data: { config: cfg, stats, samples },
    seconds: (performance.now() - began) / 1000,
  };
}
