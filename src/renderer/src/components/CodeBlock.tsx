import { createContext, Fragment, memo, useContext, useEffect, useState } from 'react';
import { useKeyboardScrollable } from '../lib/scrollable';
import type { Highlighter, HighlightToken } from '../markdown/highlight';
import { CopyButton } from './CopyButton';

/** Null: code stays plain (tests, and until mount.tsx provides shiki). */
export const HighlighterContext = createContext<Highlighter | null>(null);

type Highlighted = { code: string; lang: string; lines: HighlightToken[][] };

/** `settled`: the fence is finished; a fence still growing is shown plain and never highlighted. */
export const CodeBlock = memo(function CodeBlock({
  code,
  lang,
  settled,
}: {
  code: string;
  lang: string;
  settled: boolean;
}) {
  const highlighter = useContext(HighlighterContext);
  const [highlighted, setHighlighted] = useState<Highlighted | null>(null);
  const scrollRef = useKeyboardScrollable<HTMLPreElement>();

  useEffect(() => {
    if (!settled || !highlighter || !lang) return;
    // Unmounted (scrolled out of view, another conversation) before its turn: never tokenized.
    const gone = new AbortController();
    highlighter(code, lang, gone.signal).then(
      (lines) => {
        if (!gone.signal.aborted && lines) setHighlighted({ code, lang, lines });
      },
      () => {}, // a grammar that fails to load leaves the block plain
    );
    return () => gone.abort();
  }, [code, lang, settled, highlighter]);

  const lines =
    highlighted && highlighted.code === code && highlighted.lang === lang ? highlighted.lines : null;
  return (
    <div className="code-block" data-testid="code-block" data-highlighted={lines !== null}>
      <div className="code-head">
        <span className="code-lang">{lang || 'text'}</span>
        <CopyButton text={() => code} label="Copy code" testId="copy-code" />
      </div>
      <pre ref={scrollRef}>
        <code>
          {lines
            ? lines.map((line, i) => (
                <Fragment key={i}>
                  {line.map((token, j) => (
                    <span key={j} style={token.style}>
                      {token.content}
                    </span>
                  ))}
                  {i < lines.length - 1 ? '\n' : null}
                </Fragment>
              ))
            : code}
        </code>
      </pre>
    </div>
  );
});
