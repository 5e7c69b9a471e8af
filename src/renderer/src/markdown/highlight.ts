// Syntax highlighting for finished code blocks: shiki with its JavaScript regex engine (the WASM
// one would need 'wasm-unsafe-eval' in the CSP), the engine and each grammar imported only when a
// code block in that language first appears. Tokens come back as data, not HTML, so React renders
// them and no inline style attribute ever reaches the DOM parser.
import type { CSSProperties } from 'react';
import type { HighlighterCore } from 'shiki/core';
import { readableOn } from '../lib/contrast';

export type HighlightToken = { content: string; style: CSSProperties };
/** Resolves with null when the language is not one we load: the block stays plain. */
export type Highlighter = (code: string, lang: string) => Promise<HighlightToken[][] | null>;

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

export function createShikiHighlighter(): Highlighter {
  let core: Promise<HighlighterCore> | null = null;
  const grammars = new Map<LangId, Promise<void>>();
  // Highlighting is the costly part of showing an answer again (another conversation, a reload of
  // the list); a bounded cache keyed by language and code makes it once per block.
  const done = new Map<string, Promise<HighlightToken[][] | null>>();
  const CACHE_LIMIT = 256;

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

  const highlight = async (code: string, id: LangId): Promise<HighlightToken[][] | null> => {
    const highlighter = await load();
    let grammar = grammars.get(id);
    if (!grammar) {
      grammar = GRAMMARS[id]().then((mod) =>
        highlighter.loadLanguage(
          (mod as { default: Parameters<HighlighterCore['loadLanguage']>[0] }).default,
        ),
      );
      grammars.set(id, grammar);
    }
    await grammar;
    // Both themes' colours as CSS variables; the stylesheet picks one per colour scheme.
    const { tokens } = highlighter.codeToTokens(code, {
      lang: id,
      themes: { light: 'github-light', dark: 'github-dark' },
      defaultColor: false,
    });
    return tokens.map((line) => line.map((t) => ({ content: t.content, style: readableStyle(t.htmlStyle) })));
  };

  return (code, lang) => {
    const id = languageOf(lang);
    if (!id) return Promise.resolve(null);
    const key = `${id}\u0000${code}`;
    let result = done.get(key);
    if (result) {
      done.delete(key);
    } else {
      result = highlight(code, id);
      if (done.size >= CACHE_LIMIT) done.delete(done.keys().next().value as string);
    }
    done.set(key, result);
    return result;
  };
}
