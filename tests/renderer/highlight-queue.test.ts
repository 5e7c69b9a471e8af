// Highlighting waits its turn in the idle queue (markdown/highlight.ts): a block gone before its
// turn is never sent to be tokenized and leaves nothing cached, so the next ask for it still gets colours;
// a block asked for again is served from the cache without queueing. Tokens come from the
// highlighting worker, or from the page when a worker fails or cannot be made.
import { expect, test } from 'vitest';
import { createShikiHighlighter, type HighlightToken } from '../../src/renderer/src/markdown/highlight';
import { createIdleQueue, type IdleQueue } from '../../src/renderer/src/lib/idle-queue';
import {
  answer,
  createTokenizer,
  type TokenizeReply,
  type TokenizeRequest,
} from '../../src/renderer/src/markdown/tokenizer';

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
/** The code a block's tokens spell out. */
const textOf = (lines: HighlightToken[][] | null) =>
  lines
    ?.flat()
    .map((t) => t.content)
    .join('');

test('aborted before its turn: null, not cached; asked again: tokens, then served from the cache', async () => {
  const queue = countingQueue();
  const highlight = createShikiHighlighter(queue);
  const gone = new AbortController();
  const first = highlight(CODE, 'ts', gone.signal);
  gone.abort();
  expect(await first).toBeNull();

  const lines = await highlight(CODE, 'ts');
  expect(textOf(lines)).toBe(CODE);
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

/** A stand-in for the highlighting worker: answers as highlight.worker.ts does, on the next turn. */
function fakeWorker(opts: { failOn?: number; errorReply?: boolean } = {}) {
  const tokenize = createTokenizer();
  const fake = {
    posted: [] as TokenizeRequest[],
    terminated: false,
    onmessage: null as ((event: MessageEvent<TokenizeReply>) => void) | null,
    onerror: null as ((event: Event) => void) | null,
    postMessage(request: TokenizeRequest) {
      fake.posted.push(request);
      if (fake.posted.length === opts.failOn) {
        setTimeout(() => fake.onerror?.(new Event('error')), 0);
        return;
      }
      const reply: Promise<TokenizeReply> = opts.errorReply
        ? Promise.resolve({ id: request.id, error: 'Failed to fetch dynamically imported module' })
        : answer(tokenize, request);
      void reply.then((data) => fake.onmessage?.({ data } as MessageEvent<TokenizeReply>));
    },
    terminate() {
      fake.terminated = true;
    },
  };
  return fake;
}

test('tokens come from the worker, the same as on the page; it is started once, on the first block', async () => {
  const worker = fakeWorker();
  let spawned = 0;
  const highlight = createShikiHighlighter(createIdleQueue(0), () => (spawned++, worker));
  expect(spawned).toBe(0);
  const lines = await highlight(CODE, 'ts');
  const onPage = await createShikiHighlighter(createIdleQueue(0), () => null)(CODE, 'ts');
  expect(lines).toEqual(onPage);
  expect(lines?.flat().some((t) => '--shiki-light' in t.style)).toBe(true);
  await highlight('print(1)', 'py');
  expect(worker.posted.map((r) => [r.lang, r.code])).toEqual([
    ['typescript', CODE],
    ['python', 'print(1)'],
  ]);
  expect(spawned).toBe(1);
});

test('a worker that fails is let go: its open request and every later one are tokenized on the page', async () => {
  const worker = fakeWorker({ failOn: 1 });
  const highlight = createShikiHighlighter(createIdleQueue(0), () => worker);
  const lines = await highlight(CODE, 'ts');
  expect(textOf(lines)).toBe(CODE);
  expect(worker.terminated).toBe(true);
  expect(await highlight('x = 1', 'py')).not.toBeNull();
  expect(worker.posted).toHaveLength(1);
  // A Worker that cannot even be made (a CSP or a protocol that refuses it): on the page from the start.
  const refused = createShikiHighlighter(createIdleQueue(0), () => {
    throw new Error('Refused to create a worker');
  });
  expect(textOf(await refused(CODE, 'ts'))).toBe(CODE);
});

test('a request the worker answers with an error is tokenized on the page', async () => {
  const worker = fakeWorker({ errorReply: true });
  const lines = await createShikiHighlighter(createIdleQueue(0), () => worker)(CODE, 'ts');
  expect(textOf(lines)).toBe(CODE);
  expect(lines?.flat().some((t) => '--shiki-light' in t.style)).toBe(true);
  expect(worker.posted).toHaveLength(1);
});
