import { memo, useCallback, useEffect, useId, useState } from 'react';
import { useFollowBottom } from '../lib/follow';
import { useKeyboardScrollable } from '../lib/scrollable';
import type { ThinkingTime } from '../store/live-turn';
import { useApp } from '../store/react';
import { Icon } from './Icon';
import { Markdown } from './LazyMarkdown';

/** Words of the text, not markdown's list bullets and rules (a token with no letter or digit). */
const WORD = /[\p{L}\p{N}]/u;
const countWords = (text: string) => {
  let n = 0;
  for (const token of text.split(/\s+/)) if (WORD.test(token)) n++;
  return n;
};

/**
 * The panel's one line: "Thinking… · 12 words" while it streams, then "Thought for 12.4 s · 1,098
 * words" (first to last delta), or "Thought · 1,098 words" when no timings are known (a stored answer).
 */
export function thinkingSummary(words: number, streaming: boolean, time: ThinkingTime | null): string {
  const count = `${words.toLocaleString('en-US')} ${words === 1 ? 'word' : 'words'}`;
  if (streaming) return `Thinking… · ${count}`;
  if (!time) return `Thought · ${count}`;
  return `Thought for ${((time.last - time.first) / 1000).toFixed(1)} s · ${count}`;
}

/**
 * The model's reasoning, as markdown: open and following its newest text while it streams (unless
 * the reader scrolled it up), collapsed to one line once the answer starts, expandable again.
 * `timingKey`: the block's `step:index` in the live turn, whose delta times the store keeps.
 */
export const ThinkingPanel = memo(function ThinkingPanel({
  text,
  streaming,
  timingKey = null,
}: {
  text: string;
  streaming: boolean;
  timingKey?: string | null;
}) {
  const [open, setOpen] = useState(streaming);
  const [wasStreaming, setWasStreaming] = useState(streaming);
  if (wasStreaming !== streaming) {
    setWasStreaming(streaming);
    if (!streaming) setOpen(false); // the answer started (or the turn ended): fold away
  }
  // The timings live in the store only while the turn does; the panel keeps the last it saw.
  const live = useApp((s) => (timingKey ? (s.live?.thinkingTimes.get(timingKey) ?? null) : null));
  const [time, setTime] = useState<ThinkingTime | null>(live);
  if (live && live !== time) setTime(live);

  const textId = useId();
  const keyboardRef = useKeyboardScrollable<HTMLDivElement>();
  const { scroller: followRef, content } = useFollowBottom<HTMLDivElement, HTMLDivElement>({
    active: open && streaming,
  });
  const scrollRef = useCallback(
    (el: HTMLDivElement | null) => {
      keyboardRef(el);
      followRef.current = el;
    },
    [keyboardRef, followRef],
  );
  // Opened after the fact, the reasoning is read from its start.
  useEffect(() => {
    if (open && !streaming && followRef.current) followRef.current.scrollTop = 0;
  }, [open, streaming, followRef]);
  const words = countWords(text);
  const summary = thinkingSummary(words, streaming, time);
  const cut = summary.indexOf(' · ');
  return (
    <section className="thinking" data-testid="thinking-panel" data-streaming={streaming} data-open={open}>
      <button
        type="button"
        className="thinking-toggle"
        aria-expanded={open}
        aria-controls={textId}
        onClick={() => setOpen(!open)}
      >
        <span className="chevron" data-open={open}>
          <Icon name="chevron" size={14} />
        </span>
        <span className="thinking-summary" data-testid="thinking-summary">
          {summary.slice(0, cut)}
          <span className="thinking-count">{summary.slice(cut)}</span>
        </span>
      </button>
      <div
        className="thinking-text"
        id={textId}
        hidden={!open}
        role="group"
        aria-label="Reasoning text"
        ref={scrollRef}
      >
        {open ? (
          <div ref={content}>
            <Markdown text={text} streaming={streaming} testId="thinking-text" />
          </div>
        ) : null}
      </div>
    </section>
  );
});

export function Chip({ children, testId, title }: { children: string; testId: string; title?: string }) {
  return (
    <span className="chip" data-testid={testId} title={title}>
      {children}
    </span>
  );
}
