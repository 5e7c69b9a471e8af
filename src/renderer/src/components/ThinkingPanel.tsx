import { memo, useId, useState } from 'react';
import { useKeyboardScrollable } from '../lib/scrollable';
import { Icon } from './Icon';

/** The model's reasoning: dimmed, collapsible, open while it streams so a long think never looks frozen. */
export const ThinkingPanel = memo(function ThinkingPanel({
  text,
  streaming,
}: {
  text: string;
  streaming: boolean;
}) {
  const [open, setOpen] = useState(streaming);
  const textId = useId();
  const scrollRef = useKeyboardScrollable<HTMLDivElement>();
  const words = text.trim() ? text.trim().split(/\s+/).length : 0;
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
        <span>{streaming ? 'Thinking…' : 'Reasoning'}</span>
        <span className="thinking-count">{words} words</span>
      </button>
      <div
        className="thinking-text"
        id={textId}
        hidden={!open}
        role="group"
        aria-label="Reasoning text"
        ref={scrollRef}
      >
        {open ? text : null}
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
