// Syntax highlighting for finished code blocks. Shiki (markdown/tokenizer.ts) runs in a worker
// (highlight.worker.ts): tokenizing is the costly part of showing an answer, and a grammar's first
// use alone took 50 to 800 ms, a long task on the page however the work was scheduled. Where no
// worker can be had (no Worker, or one that fails to load) the same tokenizer runs on the page.
//
// Either way a block's request waits its turn in the idle queue (lib/idle-queue.ts: after the
// scroll settles, in idle time, the block asked for last first), so a long conversation's scroll
// never pays for it (bench/profile-long-conversation.ts): a block gone before its turn (its signal
// aborted) is never sent. Results are cached per block.
import { sharedIdleQueue, type IdleQueue } from '../lib/idle-queue';
import {
  createTokenizer,
  languageOf,
  type HighlightToken,
  type LangId,
  type Tokenizer,
  type TokenizeReply,
  type TokenizeRequest,
} from './tokenizer';

export { CODE_BACKGROUND, languageOf, readableStyle, type HighlightToken } from './tokenizer';

/**
 * Resolves with null when the language is not one we load: the block stays plain. `signal`: the
 * block is gone (it resolves with null then, and the next ask starts again).
 */
export type Highlighter = (
  code: string,
  lang: string,
  signal?: AbortSignal,
) => Promise<HighlightToken[][] | null>;

/** What the highlighter needs of a Worker. */
export type TokenizerWorker = Pick<Worker, 'postMessage' | 'terminate'> & {
  onmessage: ((event: MessageEvent<TokenizeReply>) => void) | null;
  onerror: ((event: Event) => void) | null;
};

/** The highlighting worker, or null where there is no Worker. */
function spawnHighlightWorker(): TokenizerWorker | null {
  if (typeof Worker === 'undefined') return null;
  return new Worker(new URL('./highlight.worker.ts', import.meta.url), {
    type: 'module',
    name: 'highlight',
  }) as TokenizerWorker;
}

/** A language's tokenizer: on the page (tokens at once) or in the worker (tokens to wait for). */
type Run = (code: string) => HighlightToken[][] | Promise<HighlightToken[][]>;

/**
 * Tokenizes in the worker `spawn` gives, started on the first request. A worker that cannot be
 * started, or fails (its script does not load, it throws), is let go: its open requests and every
 * later one are tokenized on the page. A request the worker answers with an error is too.
 */
function workerTokenizer(spawn: () => TokenizerWorker | null): { load(id: LangId): Promise<Run> } {
  let worker: TokenizerWorker | null | undefined;
  let page: Tokenizer | null = null;
  const onPage = () => (page ??= createTokenizer());
  const open = new Map<
    number,
    { request: TokenizeRequest; settle: (p: Promise<HighlightToken[][]>) => void }
  >();
  let nextId = 0;

  const pageTokens = (request: TokenizeRequest) =>
    onPage()
      .load(request.lang)
      .then((run) => run(request.code));

  const start = (): TokenizerWorker | null => {
    try {
      const w = spawn();
      if (!w) return null;
      w.onmessage = ({ data }) => {
        const waiting = open.get(data.id);
        if (!waiting) return;
        open.delete(data.id);
        // An error there (a grammar's chunk the worker could not load): this block on the page.
        waiting.settle('lines' in data ? Promise.resolve(data.lines) : pageTokens(waiting.request));
      };
      w.onerror = () => {
        w.terminate();
        worker = null;
        for (const { request, settle } of open.values()) settle(pageTokens(request));
        open.clear();
      };
      return w;
    } catch {
      return null;
    }
  };

  const inWorker =
    (w: TokenizerWorker, lang: LangId): Run =>
    (code) =>
      new Promise((resolve, reject) => {
        const request: TokenizeRequest = { id: nextId++, code, lang };
        open.set(request.id, { request, settle: (p) => void p.then(resolve, reject) });
        w.postMessage(request);
      });

  return {
    load(id) {
      if (worker === undefined) worker = start();
      return worker ? Promise.resolve(inWorker(worker, id)) : onPage().load(id);
    },
  };
}

export function createShikiHighlighter(
  queue: IdleQueue = sharedIdleQueue(),
  spawn: () => TokenizerWorker | null = spawnHighlightWorker,
): Highlighter {
  const tokenizer = workerTokenizer(spawn);
  // Highlighting is the costly part of showing an answer again (another conversation, a reload of
  // the list, a row scrolled back into view); a bounded cache keyed by language and code makes it
  // once per block. Only finished results are kept: a block that went away asks again.
  const done = new Map<string, HighlightToken[][]>();
  const CACHE_LIMIT = 512;

  return async (code, lang, signal) => {
    const id = languageOf(lang);
    if (!id) return null;
    const key = `${id}\u0000${code}`;
    const cached = done.get(key);
    if (cached) {
      done.delete(key);
      done.set(key, cached);
      return cached;
    }
    // Loaded before its turn (the engine and grammar on the page; nothing with a worker), so the
    // turn itself is the tokenizing, or the request to the worker.
    const run = await tokenizer.load(id);
    // A job's promise follows the worker's answer.
    const lines = await queue.add(() => done.get(key) ?? run(code), signal);
    if (lines) {
      if (done.size >= CACHE_LIMIT) done.delete(done.keys().next().value as string);
      done.set(key, lines);
    }
    return lines;
  };
}
