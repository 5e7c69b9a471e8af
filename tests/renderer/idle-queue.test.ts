// @vitest-environment happy-dom
// The idle queue (lib/idle-queue.ts) and the fling detector (lib/fling.ts): what waits off the
// scroll path, in which order, and what counts as a scroll too fast to read.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createFling, FAST_VIEWS_PER_SECOND } from '../../src/renderer/src/lib/fling';
import { createIdleQueue } from '../../src/renderer/src/lib/idle-queue';

afterEach(() => vi.useRealTimers());

describe('the idle queue', () => {
  test('runs jobs newest first, one result each', async () => {
    const queue = createIdleQueue(0);
    const order: string[] = [];
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) => queue.add(() => (order.push(name), name.toUpperCase()))),
    );
    expect(results).toEqual(['A', 'B', 'C']);
    expect(order).toEqual(['c', 'b', 'a']);
    expect(queue.size).toBe(0);
  });

  test('a job whose signal aborts first never runs and resolves null', async () => {
    const queue = createIdleQueue(0);
    const ran: string[] = [];
    const gone = new AbortController();
    const first = queue.add(() => ran.push('gone'), gone.signal);
    const kept = queue.add(() => ran.push('kept'));
    gone.abort();
    expect(queue.size).toBe(1);
    expect(await first).toBeNull();
    await kept;
    expect(ran).toEqual(['kept']);
    const late = new AbortController();
    late.abort();
    expect(await queue.add(() => ran.push('never'), late.signal)).toBeNull();
    expect(ran).toEqual(['kept']);
  });

  test('nothing runs while the page scrolls, nor until it has been still for the settle time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance', 'requestIdleCallback'] });
    const queue = createIdleQueue(150);
    const ran: number[] = [];
    window.dispatchEvent(new Event('scroll'));
    void queue.add(() => ran.push(1));
    await vi.advanceTimersByTimeAsync(100);
    window.dispatchEvent(new Event('scroll')); // still scrolling: the wait starts again
    await vi.advanceTimersByTimeAsync(100);
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(ran).toEqual([1]);
  });

  test("a job's error rejects its promise, and the next job still runs", async () => {
    const queue = createIdleQueue(0);
    const failed = queue.add(() => {
      throw new Error('tokenizer broke');
    });
    const next = queue.add(() => 'fine');
    await expect(failed).rejects.toThrow('tokenizer broke');
    expect(await next).toBe('fine');
  });
});

describe('the fling detector', () => {
  const HEIGHT = 900;

  test('a scroll of many views per second is a fling; reading speed is not', () => {
    const fling = createFling();
    fling.onScroll(100_000, HEIGHT, 1000);
    fling.onScroll(100_000 - 3000, HEIGHT, 1016); // ~200 views per second
    expect(fling.fast(1020)).toBe(true);
    fling.onScroll(100_000 - 3100, HEIGHT, 1116); // 100 px in 100 ms: about a view per second
    expect(fling.fast(1120)).toBe(false);
  });

  test('the speed counts only while recent, and just under the threshold is not a fling', () => {
    const fling = createFling();
    fling.onScroll(0, HEIGHT, 0);
    fling.onScroll(HEIGHT * FAST_VIEWS_PER_SECOND * 0.1, HEIGHT, 100); // exactly the threshold
    expect(fling.fast(150)).toBe(true);
    expect(fling.fast(250)).toBe(false); // no scroll for 150 ms: over
    const slow = createFling();
    slow.onScroll(0, HEIGHT, 0);
    slow.onScroll(HEIGHT * FAST_VIEWS_PER_SECOND * 0.099, HEIGHT, 100);
    expect(slow.fast(110)).toBe(false);
    expect(createFling().fast(0)).toBe(false);
  });
});
