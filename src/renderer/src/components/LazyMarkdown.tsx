// The markdown pipeline (react-markdown, remark-gfm, micromark, mdast, hast: about 170 kB) is not
// in the window's first chunk: it is fetched the first time an answer is shown (mount.tsx also asks
// for it once the window is idle). For the moment before it arrives the text is shown plain, block
// by block with the markdown's own spacing and code boxes, so the formatted text takes its place
// without a jump worth noticing. Once loaded, every answer renders through it at once.
//
// The same plain form stands in for a settled answer that comes into view during a fling
// (lib/fling.ts): parsing a long answer's markdown takes longer than a frame, so it waits for the
// scroll to settle and an idle moment (lib/idle-queue.ts), one answer per turn.
import {
  createElement,
  memo,
  useContext,
  useEffect,
  useState,
  useSyncExternalStore,
  type ComponentProps,
} from 'react';
import { flushSync } from 'react-dom';
import { FlingContext } from '../lib/fling';
import { sharedIdleQueue } from '../lib/idle-queue';
import { splitBlocks } from '../markdown/split';
import { CodeBlock } from './CodeBlock';
import type { Markdown as MarkdownComponent } from './Markdown';

type Props = ComponentProps<typeof MarkdownComponent>;

let loaded: typeof MarkdownComponent | null = null;
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

/**
 * Fetches the markdown pipeline (once; again after a failure). A failed fetch (an app updated
 * under an open window, a file gone) leaves the text plain: everything is still there to read.
 */
export function loadMarkdown(): Promise<void> {
  loading ??= import('./Markdown').then(
    (module) => {
      loaded = module.Markdown;
      for (const listener of listeners) listener();
    },
    (err: unknown) => {
      loading = null;
      throw err instanceof Error ? err : new Error(String(err));
    },
  );
  return loading;
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  loadMarkdown().catch((err: unknown) => {
    console.warn(`Sluice shows answers as plain text: the markdown renderer did not load (${String(err)}).`);
  });
  return () => void listeners.delete(listener);
};
const isLoaded = () => loaded !== null;

const FENCE = /^(`{3,}|~{3,})([^\n`]*)\n?([\s\S]*?)(?:\n {0,3}\1[`~]*\s*)?$/;

/** The text as it will be laid out, without the parser: paragraphs, and code in its box. */
function PlainMarkdown({ text, testId }: { text: string; testId: string }) {
  return (
    <div className="markdown markdown-plain" data-testid={testId} data-plain="true">
      {splitBlocks(text).map((block, i) => {
        const fence = FENCE.exec(block);
        if (fence) {
          const lang = (fence[2] ?? '').trim().split(/\s/)[0] ?? '';
          return <CodeBlock key={i} code={fence[3] ?? ''} lang={lang} settled={false} />;
        }
        return <p key={i}>{block}</p>;
      })}
    </div>
  );
}

/** Markdown.tsx's Markdown once it has loaded; the plain text until then. */
export const Markdown = memo(function Markdown(props: Props) {
  const ready = useSyncExternalStore(subscribe, isLoaded, isLoaded);
  const fling = useContext(FlingContext);
  // Decided once, as it comes into view: a streaming answer is never deferred.
  const [deferred, setDeferred] = useState(() => !props.streaming && (fling?.fast() ?? false));
  useEffect(() => {
    if (!deferred) return;
    const gone = new AbortController();
    // Rendered inside its idle turn, so the turn's cost is the row's, and one row at a time.
    void sharedIdleQueue().add(() => flushSync(() => setDeferred(false)), gone.signal);
    return () => gone.abort();
  }, [deferred]);
  if (ready && loaded && !deferred) return createElement(loaded, props);
  return <PlainMarkdown text={props.text} testId={props.testId ?? 'assistant-text'} />;
});
