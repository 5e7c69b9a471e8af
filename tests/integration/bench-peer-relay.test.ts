// The bench's peer relay (bench/lib/vercel-face.ts: the Vercel AI SDK's streamText →
// pipeUIMessageStreamToResponse) is a fair reader before any of its numbers mean anything: its
// client gets exactly the provider's text in the UI message stream's order, a Stop reaches the
// provider only in the variant with abortSignal, and the child process the faults run in reports
// how it ended. No timing is asserted here; the bench measures that.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSimulatedProvider, type SimulatedProvider } from '../../src/main/providers/simulated';
import { createRng, hashString } from '../../src/main/providers/simulated/rng';
import { markdownTokens, topicOf } from '../../src/main/providers/simulated/text';
import {
  spawnVercelRelay,
  startVercelRelay,
  streamVercelTurn,
  type VercelKnobs,
  type VercelRelay,
} from '../../bench/lib/vercel-face';

const PROMPT = 'How does a relay keep a token stream live?';
const knobs = (model: string, tokens: number, tpotMs = 0): VercelKnobs => ({
  model,
  headers: {
    'x-sluice-sim-ttft-ms': '0',
    'x-sluice-sim-tpot-ms': String(tpotMs),
    'x-sluice-sim-tokens': String(tokens),
  },
  maxOutputTokens: 4096,
});

let sim: SimulatedProvider;
let abort: VercelRelay;
let plain: VercelRelay;

beforeAll(async () => {
  sim = await startSimulatedProvider();
  abort = await startVercelRelay({ simUrl: sim.url, variant: 'abort' });
  plain = await startVercelRelay({ simUrl: sim.url, variant: 'plain' });
});

afterAll(async () => {
  await abort.close();
  await plain.close();
  await sim.close();
});

test('the peer’s client reads exactly the provider’s text, in the UI message stream’s order', async () => {
  const tokens = 200;
  let deltas = 0;
  const turn = await streamVercelTurn(abort.url, {
    text: PROMPT,
    sim: knobs('sim-text', tokens),
    onTextDelta: (n) => (deltas = n),
  });
  const end = await sim.waitForEnd();
  expect(end).toMatchObject({ reason: 'complete', tokensGenerated: tokens });
  expect(turn.thrown).toBeNull();
  expect(turn.text).toBe(
    [...markdownTokens(createRng(hashString(PROMPT)), topicOf(PROMPT), tokens)].join(''),
  );
  // One text-delta chunk per provider delta: matching stamps to writes by order is exact.
  expect(deltas).toBe(tokens);
  const shape = turn.chunks.filter((c, i) => c !== 'text-delta' || turn.chunks[i - 1] !== 'text-delta');
  expect(shape).toEqual([
    'start',
    'start-step',
    'text-start',
    'text-delta',
    'text-end',
    'finish-step',
    'finish',
  ]);
});

test('Stop closes the provider’s request with abortSignal wired; without it the answer is generated to the end', async () => {
  const tokens = 150;
  const stopped: Record<string, { reason: string; tokensGenerated: number; seen: number }> = {};
  for (const relay of [abort, plain]) {
    const controller = new AbortController();
    let seen = 0;
    const turn = await streamVercelTurn(relay.url, {
      text: PROMPT,
      sim: knobs('sim-text', tokens, 5),
      signal: controller.signal,
      onTextDelta: (n) => {
        seen = n;
        if (n === 5) controller.abort();
      },
    });
    expect(turn.thrown).toMatch(/AbortError/);
    const end = await sim.waitForEnd();
    stopped[relay.variant] = { reason: end.reason, tokensGenerated: end.tokensGenerated, seen };
  }
  expect(stopped['abort']?.reason).toBe('client-closed');
  expect(stopped['abort']?.tokensGenerated).toBeLessThan(tokens);
  expect(stopped['plain']).toMatchObject({ reason: 'complete', tokensGenerated: tokens });
  expect(stopped['plain']?.seen).toBe(5);
});

test('in its own process, the peer answers a turn, and an upstream cut mid-event ends that process', async () => {
  const proc = await spawnVercelRelay(sim.url, 'abort');
  try {
    const ok = await streamVercelTurn(proc.url, { text: PROMPT, sim: knobs('sim-text', 20) });
    expect(ok.chunks.at(-1)).toBe('finish');
    await sim.waitForEnd();
    // Its memory comes over IPC, after a GC on request.
    const memory = await proc.memory.collected();
    expect(memory.heapUsed).toBeGreaterThan(0);

    const cut = await streamVercelTurn(proc.url, { text: PROMPT, sim: knobs('sim-drop', 20) });
    expect(await sim.waitForEnd()).toMatchObject({ scenario: 'sim-drop', reason: 'fault' });
    expect(cut.chunks).not.toContain('finish');
    // It exits by itself (kill() in `finally` would end a survivor with SIGTERM).
    await proc.exited;
    expect(proc.exit).toEqual({ code: 1, signal: null });
    expect(proc.stderr()).toContain('AI_APICallError');
  } finally {
    await proc.kill();
  }
}, 30_000);
