// @vitest-environment happy-dom
// The store's paint pacing (store/frames.ts): streamed events are applied in an animation frame, at
// most once per interval, and the first after a quiet spell goes in the next frame.
import { afterEach, expect, test, vi } from 'vitest';
import { beforePaint, pacedFrames, PAINT_INTERVAL_MS } from '../../src/renderer/src/store/frames';

afterEach(() => vi.useRealTimers());

/** Animation frames that run only when the test says; the clock is the fake timers'. */
function frames() {
  const waiting: (() => void)[] = [];
  return {
    frame: (cb: () => void) => void waiting.push(cb),
    get waiting() {
      return waiting.length;
    },
    paint: () => waiting.splice(0).forEach((cb) => cb()),
  };
}

test('the first request runs in the next frame; one inside the interval waits for the rest of it', () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
  const f = frames();
  const request = pacedFrames(f.frame, 50);
  const ran: string[] = [];
  request(() => ran.push('first'));
  expect(f.waiting).toBe(1);
  f.paint();
  expect(ran).toEqual(['first']);

  vi.advanceTimersByTime(20);
  request(() => ran.push('second'));
  // Not even a frame is asked for until 50 ms have passed since the first ran.
  expect(f.waiting).toBe(0);
  vi.advanceTimersByTime(29);
  expect(f.waiting).toBe(0);
  vi.advanceTimersByTime(1);
  expect(f.waiting).toBe(1);
  f.paint();
  expect(ran).toEqual(['first', 'second']);

  // After a quiet spell longer than the interval: the next frame again.
  vi.advanceTimersByTime(500);
  request(() => ran.push('third'));
  expect(f.waiting).toBe(1);
  f.paint();
  expect(ran).toEqual(['first', 'second', 'third']);
});

test('the interval counts from when a callback ran, not from when it was asked for', () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
  const f = frames();
  const request = pacedFrames(f.frame, 50);
  const ran: number[] = [];
  request(() => ran.push(performance.now()));
  // The frame comes late (a busy page): 30 ms after the request.
  vi.advanceTimersByTime(30);
  f.paint();
  vi.advanceTimersByTime(40);
  request(() => ran.push(performance.now()));
  vi.advanceTimersByTime(9);
  expect(f.waiting).toBe(0);
  vi.advanceTimersByTime(1);
  f.paint();
  expect(ran).toEqual([30, 80]);
});

test('a hidden window, which gets no animation frames, still runs what waits', () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'requestAnimationFrame'] });
  const hidden = vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
  const ran: string[] = [];
  pacedFrames(beforePaint, PAINT_INTERVAL_MS)(() => ran.push('drained'));
  vi.advanceTimersByTime(50);
  expect(ran).toEqual(['drained']);
  hidden.mockRestore();
});
