// Highlighting waits its turn in the idle queue (markdown/highlight.ts): a block gone before its
// turn is never tokenized and leaves nothing cached, so the next ask for it still gets colours;
// a block asked for again is served from the cache without queueing.
import { expect, test } from 'vitest';
import { createShikiHighlighter } from '../../src/renderer/src/markdown/highlight';
import { createIdleQueue, type IdleQueue } from '../../src/renderer/src/lib/idle-queue';

/** The idle queue, counting the jobs it is given. */
function countingQueue(): IdleQueue & { added: number } {
  const inner = createIdleQueue(0);
  const queue = {
    added: 0,
    add<T>(work: () => T, signal?: AbortSignal) {
      queue.added += 1;
      return inner.add(work, signal);
    },
    get size() {
      return inner.size;
    },
  };
  return queue;
}

const CODE = 'const answer: number = 42;';

test('aborted before its turn: null, not cached; asked again: tokens, then served from the cache', async () => {
  const queue = countingQueue();
  const highlight = createShikiHighlighter(queue);
  const gone = new AbortController();
  const first = highlight(CODE, 'ts', gone.signal);
  gone.abort();
  expect(await first).toBeNull();

  const lines = await highlight(CODE, 'ts');
  expect(
    lines
      ?.flat()
      .map((t) => t.content)
      .join(''),
  ).toBe(CODE);
  expect(lines?.flat().some((t) => '--shiki-light' in t.style)).toBe(true);
  const queued = queue.added;
  expect(await highlight(CODE, 'typescript')).toBe(lines);
  expect(queue.added).toBe(queued);
});

test('a language it does not load stays plain without queueing', async () => {
  const queue = countingQueue();
  expect(await createShikiHighlighter(queue)('x = 1', 'cobol')).toBeNull();
  expect(queue.added).toBe(0);
});
