// The idle watchdog: stalls only after idleMs of silence; activity, pauses and retry grace push it back.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { IdleWatchdog } from '../../src/main/relay/watchdog';

let stalls = 0;
let dog: IdleWatchdog;
beforeEach(() => {
  vi.useFakeTimers();
  stalls = 0;
  dog = new IdleWatchdog(
    1000,
    () => (stalls += 1),
    () => Date.now(),
  );
});
afterEach(() => {
  dog.stop();
  vi.useRealTimers();
});

test('fires once after idleMs of silence', () => {
  dog.touch();
  vi.advanceTimersByTime(999);
  expect(stalls).toBe(0);
  vi.advanceTimersByTime(1);
  expect(stalls).toBe(1);
  vi.advanceTimersByTime(5000);
  expect(stalls).toBe(1);
});

test('activity restarts the idle period without a new timer per event', () => {
  dog.touch();
  for (let i = 0; i < 10; i++) {
    vi.advanceTimersByTime(600);
    dog.touch();
  }
  expect(vi.getTimerCount()).toBe(1);
  expect(stalls).toBe(0);
  vi.advanceTimersByTime(1000);
  expect(stalls).toBe(1);
});

test('paused time (waiting on our own sink) is not silence', () => {
  dog.touch();
  vi.advanceTimersByTime(900);
  dog.pause();
  vi.advanceTimersByTime(10_000);
  expect(stalls).toBe(0);
  dog.resume();
  vi.advanceTimersByTime(999);
  expect(stalls).toBe(0);
  vi.advanceTimersByTime(1);
  expect(stalls).toBe(1);
});

test('a retry grace period adds to the idle time', () => {
  dog.touch(5000);
  vi.advanceTimersByTime(5999);
  expect(stalls).toBe(0);
  vi.advanceTimersByTime(1);
  expect(stalls).toBe(1);
});

test('stop prevents a stall', () => {
  dog.touch();
  dog.stop();
  vi.advanceTimersByTime(5000);
  expect(stalls).toBe(0);
});
