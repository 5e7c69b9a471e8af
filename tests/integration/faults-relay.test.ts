// A network that fails on purpose between the relay and the simulated provider (a fault-injecting
// TCP proxy, tests/support/fault-proxy.ts): latency and a bandwidth limit still complete with the
// whole answer; a reset mid-stream is a network error (cause dropped) that keeps what arrived; a
// link that stops passing data on, or goes quiet longer than the idle timeout, ends as stalled
// with the partial kept. Every fault closes the upstream request (the provider logs
// client-closed), and each test leaves no socket or timer behind.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startSimulatedProvider, type SimulatedProvider } from '../../src/main/providers/simulated';
import { startFaultProxy, type FaultProxy, type Faults } from '../support/fault-proxy';
import { activeResources, leftBehind } from '../support/handles';
import { runTurnAgainst, turnText, type TurnRun } from '../support/relay';

// ~120 text deltas, a few milliseconds apart: long enough to be cut in the middle.
const ANSWER = { 'x-sluice-sim-tokens': '120', 'x-sluice-sim-tpot-ms': '2', 'x-sluice-sim-ttft-ms': '0' };
// For the stalls: an answer still being generated when the relay gives up (~6 s of it), so the
// provider sees its client leave rather than finishing into full buffers.
const LONG = { 'x-sluice-sim-tokens': '2000', 'x-sluice-sim-ttft-ms': '0' };
const SLOW = { ...LONG, 'x-sluice-sim-tpot-ms': '3' };

let before: Map<string, number>;
let sim: SimulatedProvider;
let proxy: FaultProxy | null = null;
/** The whole answer, straight from the provider with no proxy in between. */
let full = '';

beforeEach(async () => {
  before = activeResources();
  sim = await startSimulatedProvider({ defaults: { ttftMs: 0, tpotMs: 2, thinkingMs: 0 } });
  const direct = await runTurnAgainst(sim.url, { headers: ANSWER, autoRetry: false });
  expect(direct.result.outcome).toBe('complete');
  full = turnText(direct.result);
  await sim.waitForEnd();
});

afterEach(async () => {
  await proxy?.close();
  proxy = null;
  await sim.close();
  // Nothing the test opened is left: no socket to the proxy or the provider, no timer.
  expect(await leftBehind(before)).toEqual([]);
});

async function through(faults: Faults, idleTimeoutMs = 10_000, headers = ANSWER): Promise<TurnRun> {
  proxy = await startFaultProxy({ port: sim.port }, faults);
  return runTurnAgainst(proxy.url, { headers, autoRetry: false, idleTimeoutMs });
}

/** The long answer whole, at full speed (the text does not depend on the pace). */
async function longAnswer(): Promise<string> {
  const { result } = await runTurnAgainst(sim.url, { headers: { ...LONG, 'x-sluice-sim-tpot-ms': '0' } });
  await sim.waitForEnd();
  return turnText(result);
}

/** The partial is a real part of the answer: non-empty, shorter, and its beginning. */
function expectPartialOf(text: string, whole = full) {
  expect(text.length).toBeGreaterThan(0);
  expect(text.length).toBeLessThan(whole.length);
  expect(whole.startsWith(text)).toBe(true);
}

test('latency on every chunk: the turn completes with the whole answer', async () => {
  const { result } = await through({ latencyMs: 3 });
  expect(result.outcome).toBe('complete');
  expect(turnText(result)).toBe(full);
  expect((await sim.waitForEnd()).reason).toBe('complete');
});

test('a bandwidth limit: the turn completes with the whole answer', async () => {
  const { result } = await through({ bytesPerSecond: 200_000 });
  expect(result.outcome).toBe('complete');
  expect(turnText(result)).toBe(full);
  expect((await sim.waitForEnd()).reason).toBe('complete');
});

test('a reset in the middle of the stream: a network error (dropped) that keeps what arrived', async () => {
  const { result, sink } = await through({ resetAfterBytes: 4000 });
  expect(result.outcome).toBe('error');
  expect(result.error).toMatchObject({ type: 'network', cause: 'dropped', retryable: true });
  expect(result.error?.message).toMatch(/What arrived so far is kept/);
  expectPartialOf(turnText(result));
  expect(sink.of('terminal')).toHaveLength(1);
  expect((await sim.waitForEnd()).reason).toBe('client-closed');
});

test('a link that stops passing data on: stalled after the idle timeout, the partial kept, the upstream closed', async () => {
  const whole = await longAnswer();
  const { result } = await through({ stopReadingAfterBytes: 4000 }, 400, SLOW);
  expect(result.outcome).toBe('stalled');
  expect(result.error).toMatchObject({ type: 'stalled', retryable: true });
  expect(result.error?.message).toMatch(/What arrived so far is kept/);
  expectPartialOf(turnText(result), whole);
  expect((await sim.waitForEnd()).reason).toBe('client-closed');
});

test('a pause longer than the idle timeout: stalled, the partial kept, the upstream closed', async () => {
  const whole = await longAnswer();
  const { result } = await through({ pauseAfterBytes: 4000, pauseMs: 1500 }, 400, SLOW);
  expect(result.outcome).toBe('stalled');
  expectPartialOf(turnText(result), whole);
  expect((await sim.waitForEnd()).reason).toBe('client-closed');
});

test('a pause shorter than the idle timeout: the turn waits it out and completes', async () => {
  const { result } = await through({ pauseAfterBytes: 4000, pauseMs: 200 }, 5000);
  expect(result.outcome).toBe('complete');
  expect(turnText(result)).toBe(full);
  expect((await sim.waitForEnd()).reason).toBe('complete');
});
