// The rendering benchmark's page (bench/peers.ts): one shell, one feed, three renderers. The page
// starts a turn on `sluice serve` with the app's own HTTP client, queues its relay events and
// applies them once per animation frame with the app's live-turn reducer (as store/turn.ts does),
// then hands the answer's text to the renderer its URL names:
//   ?renderer=sluice      Sluice's Markdown (its deltas as the app passes them, shiki on settled code)
//   ?renderer=streamdown  streamdown's <Streamdown> in streaming mode, with its defaults
//   ?renderer=naive       react-markdown + remark-gfm over the whole text on every update
//   ?renderer=plain       no renderer: the text as one paragraph, the floor under all of them;
//                         with &pace=app, applied at the app's store's pace (store/frames.ts)
// The answer scrolls in a box that follows the bottom with the app's own hook (lib/follow).
// Bench only: never shipped, never imported by src/.
import { memo, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { Streamdown } from 'streamdown';
import { createHttpClient } from '../../src/renderer/src/api/http';
import { HighlighterContext } from '../../src/renderer/src/components/CodeBlock';
import { Markdown } from '../../src/renderer/src/components/Markdown';
import { useFollowBottom } from '../../src/renderer/src/lib/follow';
import { createShikiHighlighter } from '../../src/renderer/src/markdown/highlight';
import { pacedFrames, PAINT_INTERVAL_MS } from '../../src/renderer/src/store/frames';
import {
  applyBatch,
  createLiveTurn,
  type LiveTurn,
  type TimedEvent,
} from '../../src/renderer/src/store/live-turn';
import { FLOOR, RENDERERS, type PageApi, type PageRendererId, type PageResult } from '../lib/page-protocol';
import '../../src/renderer/src/styles/base.css';
import '../../src/renderer/src/styles/markdown.css';
import './page.css';

const client = createHttpClient();
const highlighter = createShikiHighlighter();

const query = new URLSearchParams(location.search);
const named = query.get('renderer');
const renderer: PageRendererId = named === FLOOR ? FLOOR : (RENDERERS.find((r) => r === named) ?? 'sluice');
const requestFrame =
  query.get('pace') === 'app'
    ? pacedFrames((run) => requestAnimationFrame(run), PAINT_INTERVAL_MS)
    : requestAnimationFrame;

const PLUGINS = [remarkGfm];

const Naive = memo(function Naive({ text }: { text: string }) {
  return <ReactMarkdown remarkPlugins={PLUGINS}>{text}</ReactMarkdown>;
});

/** The floor's paragraphs: the text between blank lines, markdown and all; only the last one grows. */
const Plain = memo(function Plain({ text }: { text: string }) {
  return <p className="bench-plain">{text}</p>;
});

function Answer({ live }: { live: LiveTurn }) {
  const streaming = live.terminal === null;
  const block = live.steps[0]?.message.blocks[0];
  const text = block?.type === 'text' ? block.text : '';
  switch (renderer) {
    case 'sluice': {
      const parts = live.textParts.get('0:0');
      return <Markdown text={text} streaming={streaming} {...(parts ? { parts } : {})} />;
    }
    case 'streamdown':
      return (
        <div className="markdown">
          <Streamdown mode="streaming" isAnimating={streaming}>
            {text}
          </Streamdown>
        </div>
      );
    case 'naive':
      return (
        <div className="markdown">
          <Naive text={text} />
        </div>
      );
    case FLOOR:
      return (
        <div className="markdown">
          {text.split('\n\n').map((paragraph, i) => (
            <Plain key={i} text={paragraph} />
          ))}
        </div>
      );
  }
}

function Page() {
  const [live, setLive] = useState<LiveTurn | null>(null);
  const streaming = live !== null && live.terminal === null;
  const { scroller, content } = useFollowBottom<HTMLDivElement, HTMLDivElement>({
    reset: live?.key,
    streaming,
  });

  useEffect(() => {
    let key = 0;
    let current: LiveTurn | null = null;
    let queue: TimedEvent[] = [];
    let frameRequested = false;
    const flush = () => {
      frameRequested = false;
      if (!current || queue.length === 0) return;
      const next = applyBatch(current, queue);
      queue = [];
      if (next !== current) {
        current = next;
        setLive(next);
      }
    };
    const api: PageApi = {
      renderer,
      start(prompt) {
        key += 1;
        const request = { action: 'send' as const, conversationId: null, text: prompt };
        current = createLiveTurn({ key, request, base: [], userText: prompt, startedAt: performance.now() });
        queue = [];
        setLive(current);
        const turn = client.startTurn(request, (event) => {
          queue.push({ event, at: performance.now() });
          if (!frameRequested) {
            frameRequested = true;
            requestFrame(flush);
          }
        });
        return turn.done.then(() => {
          flush();
          return undefined;
        });
      },
      clear() {
        current = null;
        queue = [];
        setLive(null);
        // The commit, then a frame painted without the answer.
        return new Promise((resolve) =>
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(undefined))),
        );
      },
      result(): PageResult {
        const block = current?.steps[0]?.message.blocks[0];
        return {
          source: block?.type === 'text' ? block.text : '',
          outputTokens: current?.terminal?.metrics.outputTokens ?? null,
        };
      },
    };
    window.__sluicePage = api;
  }, []);

  return (
    <div className="bench-shell">
      <header className="bench-head">Rendering bench · {renderer}</header>
      <div className="bench-list" ref={scroller} data-testid="message-list">
        <div className="bench-column" ref={content}>
          {live && (
            <article
              className="message assistant"
              data-testid="bench-answer"
              data-role="assistant"
              data-outcome={live.terminal?.outcome ?? 'streaming'}
            >
              <Answer live={live} />
            </article>
          )}
        </div>
      </div>
    </div>
  );
}

declare global {
  interface Window {
    __sluicePage?: PageApi;
  }
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <HighlighterContext.Provider value={highlighter}>
      <Page />
    </HighlighterContext.Provider>,
  );
}
