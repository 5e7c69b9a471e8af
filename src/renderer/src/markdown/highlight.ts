// Syntax highlighting for finished code blocks: shiki with its JavaScript regex engine (the WASM
// one would need 'wasm-unsafe-eval' in the CSP), the engine and each grammar imported only when a
// code block in that language first appears. Tokens come back as data, not HTML, so React renders
// them and no inline style attribute ever reaches the DOM parser.
//
// Tokenizing is the costly part of showing an answer (a long conversation's scroll spent a third
// of its time in it: bench/profile-long-conversation.ts), so it never runs on the scroll path:
// each block waits its turn in the idle queue (lib/idle-queue.ts: after the scroll settles, in idle
// time, the block asked for last first). A block gone before its turn (its signal aborted) costs
// nothing. Results are cached per block.
import type { CSSProperties } from 'react';
import type { HighlighterCore } from 'shiki/core';
import { readableOn } from '../lib/contrast';
import { sharedIdleQueue, type IdleQueue } from '../lib/idle-queue';

export type HighlightToken = { content: string; style: CSSProperties };
/**
 * Resolves with null when the language is not one we load: the block stays plain. `signal`: the
 * block is gone (it resolves with null then, and the next ask starts again).
 */
export type Highlighter = (
  code: string,
  lang: string,
  signal?: AbortSignal,
) => Promise<HighlightToken[][] | null>;

type LangId = 'typescript' | 'javascript' | 'python' | 'bash' | 'json';

const ALIASES: Record<string, LangId> = {
  ts: 'typescript',
  typescript: 'typescript',
  mts: 'typescript',
  js: 'javascript',
  javascript: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  python: 'python',
  sh: 'bash',
  bash: 'bash',
  shell: 'bash',
  zsh: 'bash',
  json: 'json',
};

const GRAMMARS: Record<LangId, () => Promise<unknown>> = {
  typescript: () => import('shiki/langs/typescript.mjs'),
  javascript: () => import('shiki/langs/javascript.mjs'),
  python: () => import('shiki/langs/python.mjs'),
  bash: () => import('shiki/langs/bash.mjs'),
  json: () => import('shiki/langs/json.mjs'),
};

export function languageOf(lang: string): LangId | null {
  return ALIASES[lang.toLowerCase()] ?? null;
}

/** The code block's background in each theme: `--bg-code` in styles/base.css (a test keeps them equal). */
export const CODE_BACKGROUND = { light: '#f6f6f3', dark: '#222221' } as const;

/**
 * The github themes' lighter token colours (comments, strings, keywords) fall just short of 4.5:1 on
 * the code background; each is darkened (light) or lightened (dark) only as far as it takes.
 */
export function readableStyle(style: Record<string, string> | undefined): Record<string, string> {
  if (!style) return {};
  const out = { ...style };
  for (const scheme of ['light', 'dark'] as const) {
    const key = `--shiki-${scheme}`;
    const color = out[key];
    if (color) out[key] = readableOn(color, CODE_BACKGROUND[scheme], 4.6);
  }
  return out;
}

export function createShikiHighlighter(queue: IdleQueue = sharedIdleQueue()): Highlighter {
  let core: Promise<HighlighterCore> | null = null;
  const grammars = new Map<LangId, Promise<void>>();
  // Highlighting is the costly part of showing an answer again (another conversation, a reload of
  // the list, a row scrolled back into view); a bounded cache keyed by language and code makes it
  // once per block. Only finished results are kept: a block that went away asks again.
  const done = new Map<string, HighlightToken[][]>();
  const CACHE_LIMIT = 512;

  const load = () =>
    (core ??= (async () => {
      const [{ createHighlighterCore }, { createJavaScriptRegexEngine }] = await Promise.all([
        import('shiki/core'),
        import('shiki/engine/javascript'),
      ]);
      return createHighlighterCore({
        engine: createJavaScriptRegexEngine(),
        themes: [import('shiki/themes/github-light.mjs'), import('shiki/themes/github-dark.mjs')],
        langs: [],
      });
    })());

  const grammar = async (id: LangId): Promise<HighlighterCore> => {
    const highlighter = await load();
    let loaded = grammars.get(id);
    if (!loaded) {
      loaded = GRAMMARS[id]().then((mod) =>
        highlighter.loadLanguage(
          (mod as { default: Parameters<HighlighterCore['loadLanguage']>[0] }).default,
        ),
      );
      grammars.set(id, loaded);
    }
    await loaded;
    return highlighter;
  };

  const tokenize = (highlighter: HighlighterCore, code: string, id: LangId): HighlightToken[][] => {
    // Both themes' colours as CSS variables; the stylesheet picks one per colour scheme.
    const { tokens } = highlighter.codeToTokens(code, {
      lang: id,
      themes: { light: 'github-light', dark: 'github-dark' },
      defaultColor: false,
    });
    return tokens.map((line) => line.map((t) => ({ content: t.content, style: readableStyle(t.htmlStyle) })));
  };

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
    const highlighter = await grammar(id);
    const lines = await queue.add(() => done.get(key) ?? tokenize(highlighter, code, id), signal);
    if (lines) {
      if (done.size >= CACHE_LIMIT) done.delete(done.keys().next().value as string);
      done.set(key, lines);
    }
    return lines;
  };
}
