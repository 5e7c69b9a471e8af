// docs/RUNBOOK.md inside the app: the same text the on-call engineer reads in the repository,
// bundled at build time (nothing fetched), opened at the section a warning points to.
import { Children, isValidElement, useEffect, useRef, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import runbook from '../../../../docs/RUNBOOK.md?raw';
import { useKeyboardScrollable } from '../lib/scrollable';
import { safeUrl } from '../markdown/url';
import { useAppStore } from '../store/react';
import { Dialog } from './Dialog';

function textOf(node: ReactNode): string {
  return Children.toArray(node)
    .map((child) =>
      typeof child === 'string' || typeof child === 'number'
        ? String(child)
        : isValidElement<{ children?: ReactNode }>(child)
          ? textOf(child.props.children)
          : '',
    )
    .join('');
}

/** "Works on localhost, batches in prod" → "works-on-localhost-batches-in-prod". */
export const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function ScrollingPre({ children }: { children?: ReactNode }) {
  const scrollRef = useKeyboardScrollable<HTMLPreElement>();
  return <pre ref={scrollRef}>{children}</pre>;
}

const components: Components = {
  pre: ({ children }) => <ScrollingPre>{children}</ScrollingPre>,
  h2: ({ children }) => <h2 id={`runbook-${slug(textOf(children))}`}>{children}</h2>,
  a: ({ href, children }) => {
    const url = href ? safeUrl(href) : null;
    return url ? (
      <a href={url} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    );
  },
};

export function RunbookPanel({ section }: { section: string }) {
  const store = useAppStore();
  const body = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const target = section ? body.current?.querySelector(`#runbook-${CSS.escape(section)}`) : null;
    target?.scrollIntoView({ block: 'start' });
  }, [section]);

  return (
    <Dialog
      title="Streaming runbook"
      testId="runbook-panel"
      className="runbook-panel"
      initialFocus=".runbook-body"
      onClose={() => store.getState().closeRunbook()}
    >
      <div className="panel-body markdown runbook-body" ref={body} tabIndex={0}>
        <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
          {runbook}
        </ReactMarkdown>
      </div>
    </Dialog>
  );
}
