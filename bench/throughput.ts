// 2. Throughput: a TPOT-0 firehose of many thousands of deltas through relay → IPC transport →
// the shared reducer the renderer's store runs, with the final text checked against the simulated provider's own
// text generator. A direct SDK reader of the same firehose runs in the same rounds, interleaved:
// everything shares one process, so the provider's own cost is in both numbers.
import Anthropic from '@anthropic-ai/sdk';
import { hashString, createRng } from '../src/main/providers/simulated/rng';
import { markdownTokens, topicOf } from '../src/main/providers/simulated/text';
import { isDelta } from './lib/engine-face';
import { liveText, startIpcTurn } from './lib/ipc-face';
import { check, info, progress, type BenchResult } from './lib/result';
import { simHeaders, type BenchSim } from './lib/sim';
import { median } from './lib/stats';

export type ThroughputConfig = { rounds: number; tokens: number };

const PROMPT = 'Stream as fast as you can';

/** Exactly what sim-text sends for this prompt and length (the same generator, the same seed). */
const expectedText = (tokens: number): string =>
  [...markdownTokens(createRng(hashString(PROMPT)), topicOf(PROMPT), tokens)].join('');

type Run = {
  rate: number;
  /** This process's CPU time (user + system) over the run, per delta generated. */
  cpuPerDeltaUs: number;
  endToEnd: number;
  exact: boolean;
  deltasSeen: number;
  batches: number;
  merged: number;
};

/** Runs `read` and adds the process's CPU time over it, per delta, to what it returns. */
async function timed(tokens: number, read: () => Promise<Omit<Run, 'cpuPerDeltaUs'>>): Promise<Run> {
  const before = process.cpuUsage();
  const run = await read();
  const used = process.cpuUsage(before);
  return { ...run, cpuPerDeltaUs: (used.user + used.system) / tokens };
}

async function viaIpc(sim: BenchSim, tokens: number, expected: string): Promise<Omit<Run, 'cpuPerDeltaUs'>> {
  let first = Number.NaN;
  let last = Number.NaN;
  let seen = 0;
  let batches = 0;
  const t0 = performance.now();
  const turn = startIpcTurn({
    baseURL: sim.url,
    headers: simHeaders({ ttftMs: 0, tpotMs: 0, tokens }),
    prompt: PROMPT,
    maxTokens: tokens,
    onApplied: (batch) => {
      batches += 1;
      let n = 0;
      for (const { event } of batch) if (isDelta(event)) n += 1;
      if (n === 0) return;
      const at = performance.now();
      if (seen === 0) first = at;
      last = at;
      seen += n;
    },
  });
  const { result, live } = await turn.done;
  const end = await sim.nextEnd();
  sim.forget(end.requestId);
  return {
    rate: (end.tokensGenerated - 1) / ((last - first) / 1000),
    endToEnd: end.tokensGenerated / ((last - t0) / 1000),
    exact:
      live.terminal?.outcome === 'complete' && liveText(live) === expected && end.tokensGenerated === tokens,
    deltasSeen: seen,
    batches,
    merged: result.mergedEvents,
  };
}

async function viaSdk(sim: BenchSim, tokens: number, expected: string): Promise<Omit<Run, 'cpuPerDeltaUs'>> {
  const client = new Anthropic({
    baseURL: sim.url,
    apiKey: 'x',
    maxRetries: 0,
    defaultHeaders: simHeaders({ ttftMs: 0, tpotMs: 0, tokens }),
  });
  const t0 = performance.now();
  const stream = await client.messages.create({
    model: 'sim-text',
    max_tokens: tokens,
    messages: [{ role: 'user', content: PROMPT }],
    stream: true,
  });
  let first = Number.NaN;
  let last = Number.NaN;
  let seen = 0;
  const parts: string[] = [];
  for await (const event of stream) {
    if (event.type !== 'content_block_delta') continue;
    last = performance.now();
    if (seen++ === 0) first = last;
    if (event.delta.type === 'text_delta') parts.push(event.delta.text);
  }
  const end = await sim.nextEnd();
  sim.forget(end.requestId);
  return {
    rate: (seen - 1) / ((last - first) / 1000),
    endToEnd: seen / ((last - t0) / 1000),
    exact: parts.join('') === expected,
    deltasSeen: seen,
    batches: 0,
    merged: 0,
  };
}

export async function throughput(sim: BenchSim, cfg: ThroughputConfig): Promise<BenchResult> {
  const began = performance.now();
  sim.keepWrites = false;
  const expected = expectedText(cfg.tokens);
  const runs: { ipc: Run[]; sdk: Run[] } = { ipc: [], sdk: [] };
  // Warm-up, discarded.
  await viaIpc(sim, 2_000, expectedText(2_000));
  await viaSdk(sim, 2_000, expectedText(2_000));
  for (let round = 0; round < cfg.rounds; round++) {
    const order = round % 2 === 0 ? (['ipc', 'sdk'] as const) : (['sdk', 'ipc'] as const);
    for (const who of order) {
      const run = await timed(cfg.tokens, () =>
        who === 'ipc' ? viaIpc(sim, cfg.tokens, expected) : viaSdk(sim, cfg.tokens, expected),
      );
      runs[who].push(run);
      progress(
        'throughput',
        `round ${round + 1}/${cfg.rounds} ${who}: ${Math.round(run.rate)} deltas/s, ${run.cpuPerDeltaUs.toFixed(2)} µs CPU/delta, exact=${run.exact}, ${run.batches} batches, ${run.merged} merged`,
      );
    }
  }
  sim.keepWrites = true;
  const ipcRate = median(runs.ipc.map((r) => r.rate));
  const sdkRate = median(runs.sdk.map((r) => r.rate));
  const exact = runs.ipc.every((r) => r.exact) && runs.sdk.every((r) => r.exact);
  const ipcCpu = median(runs.ipc.map((r) => r.cpuPerDeltaUs));
  const sdkCpu = median(runs.sdk.map((r) => r.cpuPerDeltaUs));
  const ratio = ipcRate / sdkRate;
  const ipcBatches = median(runs.ipc.map((r) => r.batches));
  const ipcMerged = median(runs.ipc.map((r) => r.merged));
  return {
    id: 'throughput',
    title: '2. Throughput',
    rows: [
      check(
        'Deltas/s reaching the page reducer, (c) relay → IPC → accumulate',
        `${Math.round(ipcRate).toLocaleString('en-US')}/s`,
        '≥ 20,000/s',
        ipcRate >= 20_000,
      ),
      check('Final text, order and content exact (every run)', exact ? 'exact' : 'DIFFERS', 'exact', exact),
      info('Same firehose read by the SDK directly (a)', `${Math.round(sdkRate).toLocaleString('en-US')}/s`),
      check('Deltas/s, (c) against (a)', `×${ratio.toFixed(3)}`, '≥ ×0.8', ratio >= 0.8),
      info(
        'CPU time of the process per delta (provider included): (c) · (a) → what the relay adds',
        `${ipcCpu.toFixed(2)} µs · ${sdkCpu.toFixed(2)} µs → ${(ipcCpu - sdkCpu).toFixed(2)} µs (×${(sdkCpu / ipcCpu).toFixed(3)})`,
      ),
    ],
    notes: [
      `${cfg.tokens.toLocaleString('en-US')} text deltas at TPOT 0, ${cfg.rounds} interleaved rounds of (c) and (a), median shown. Rate = deltas / (last delta applied − first delta applied). The page saw them in a median of ${ipcBatches.toLocaleString('en-US')} IPC batches; the engine merged a median of ${ipcMerged.toLocaleString('en-US')} deltas while the port window was full (lossless: the text is compared whole).`,
      'The simulated provider runs in the same process and thread, so its cost (generating and writing SSE) is inside both rates, and so is the page end of (c) (in the desktop app the renderer is another process). CPU per delta is process.cpuUsage() over the run divided by the deltas generated: on a loaded machine it moves less than the wall-clock rates do.',
    ],
    data: { config: cfg, runs },
    seconds: (performance.now() - began) / 1000,
  };
}
