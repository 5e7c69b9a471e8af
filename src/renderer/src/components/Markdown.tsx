// Assistant text as markdown, rendered incrementally: the text is cut into top-level blocks and
// each block is memoized by its source, so a new token re-renders only the growing last block.
// Output is untrusted: no raw HTML (react-markdown shows it as text), links only to the web or
// mail and in a new window, and images are never loaded.
import { memo, useMemo, useState, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import type { Element, ElementContent } from 'hast';
import { useKeyboardScrollable } from '../lib/scrollable';
import { remarkGfmOnce } from '../markdown/gfm';
import { createBlockSplitter, openFence } from '../markdown/split';
import { safeUrl } from '../markdown/url';
import { CodeBlock } from './CodeBlock';

const PLUGINS = [remarkGfmOnce];

const textOf = (nodes: ElementContent[]): string =>
  nodes.map((n) => (n.type === 'text' ? n.value : n.type === 'element' ? textOf(n.children) : '')).join('');

function codeOf(pre: Element | undefined): { code: string; lang: string } {
  const code = pre?.children.find((c): c is Element => c.type === 'element' && c.tagName === 'code');
  const classes = code?.properties['className'];
  const lang =
    (Array.isArray(classes) ? classes : [])
      .map(String)
      .find((c) => c.startsWith('language-'))
      ?.slice('language-'.length) ?? '';
  return { code: textOf(code?.children ?? []).replace(/\n$/, ''), lang };
}

/** A wide table scrolls sideways in its own box, which the keyboard can then reach. */
function ScrollingTable({ children }: { children?: ReactNode }) {
  const scrollRef = useKeyboardScrollable<HTMLDivElement>();
  return (
    <div className="md-table" ref={scrollRef}>
      <table>{children}</table>
    </div>
  );
}

function components(settled: boolean): Components {
  return {
    a: ({ href, children }) =>
      href ? (
        <a href={href} {...(href.startsWith('#') ? {} : { target: '_blank', rel: 'noopener noreferrer' })}>
          {children}
        </a>
      ) : (
        <span className="md-dead-link" title="Link removed: only http, https and mailto links are allowed">
          {children}
        </span>
      ),
    img: ({ alt, src }) => (
      <span className="md-image" title="Images are not loaded">
        [image: {alt || 'no description'}]{typeof src === 'string' && src ? ` ${src}` : ''}
      </span>
    ),
    pre: ({ node }) => <CodeBlock {...codeOf(node)} settled={settled} />,
    table: ({ children }) => <ScrollingTable>{children}</ScrollingTable>,
  };
}

// `settled` only matters to code blocks; a block without one keeps the same props when it stops
// being the tail, so it does not render again.
const hasFence = (source: string) => source.includes('```') || source.includes('~~~');

/** Blocks per group: the browser skips a group only when all of it is off screen. */
const GROUP_SIZE = 16;

const SETTLED = components(true);
const GROWING = components(false);

const MarkdownBlock = memo(function MarkdownBlock({ source, settled }: { source: string; settled: boolean }) {
  return (
    <ReactMarkdown remarkPlugins={PLUGINS} urlTransform={safeUrl} components={settled ? SETTLED : GROWING}>
      {source}
    </ReactMarkdown>
  );
});

/**
 * Final blocks in a group that never changes; skipped whole by memo on every later frame, and by
 * the browser's style, layout and paint while it is off screen (`.md-group`, markdown.css).
 */
const BlockGroup = memo(function BlockGroup({ sources }: { sources: readonly string[] }) {
  return (
    <div className="md-group">
      {sources.map((source, i) => (
        <MarkdownBlock key={i} source={source} settled />
      ))}
    </div>
  );
});

/**
 * `streaming`: the text is still growing, so its last block is not final yet. Each frame costs
 * the growing tail plus one memo check per group of final blocks, not a pass over the whole answer.
 */
export const Markdown = memo(function Markdown({
  text,
  streaming,
  parts,
  testId = 'assistant-text',
}: {
  text: string;
  streaming: boolean;
  /** The reasoning panel renders its text here too, under its own test id. */
  testId?: string;
  /** The text's deltas while it streams: read instead of `text`, which is never touched then. */
  parts?: readonly string[];
}) {
  const [splitter] = useState(() => createBlockSplitter(GROUP_SIZE));
  const { groups, tail } = useMemo(
    () => (streaming && parts ? splitter.parts(parts, text.length) : null) ?? splitter.text(text),
    [splitter, text, streaming, parts],
  );
  return (
    <div className="markdown" data-testid={testId}>
      {groups.map((sources, i) => (
        <BlockGroup key={i} sources={sources} />
      ))}
      {tail.map((source, i) => {
        // The growing block, a code block still open: its code as the parser would read it,
        // without parsing markdown on every frame.
        const open = streaming && i === tail.length - 1 ? openFence(source) : null;
        return open ? (
          <CodeBlock key={`tail-${i}`} code={open.code} lang={open.lang} settled={false} />
        ) : (
          <MarkdownBlock
            key={`tail-${i}`}
            source={source}
            settled={!streaming || i < tail.length - 1 || !hasFence(source)}
          />
        );
      })}
    </div>
  );
});
