// Shiki itself: its JavaScript regex engine (the WASM one would need 'wasm-unsafe-eval' in the
// CSP), the engine and each grammar imported only when a code block in that language first
// appears. Tokens come back as data, not HTML, so React renders them and no inline style attribute
// ever reaches the DOM parser. It runs in the highlighting worker (highlight.worker.ts), or on the
// page when a worker cannot be had (markdown/highlight.ts).
import type { CSSProperties } from 'react';
import type { HighlighterCore } from 'shiki/core';
import { readableOn } from '../lib/contrast';

export type HighlightToken = { content: string; style: CSSProperties };

export type LangId = 'typescript' | 'javascript' | 'python' | 'bash' | 'json';

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

/** Tokens of `code` in one language, once its grammar has loaded. */
export type TokenizeLoaded = (code: string) => HighlightToken[][];
/** Loads the engine (once) and the grammar of `id` (once each); resolves with its tokenizer. */
export type Tokenizer = { load(id: LangId): Promise<TokenizeLoaded> };

export function createTokenizer(): Tokenizer {
  let core: Promise<HighlighterCore> | null = null;
  const grammars = new Map<LangId, Promise<void>>();

  const engine = () =>
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

  return {
    async load(id) {
      const highlighter = await engine();
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
      return (code) => {
        // Both themes' colours as CSS variables; the stylesheet picks one per colour scheme.
        const { tokens } = highlighter.codeToTokens(code, {
          lang: id,
          themes: { light: 'github-light', dark: 'github-dark' },
          defaultColor: false,
        });
        return tokens.map((line) =>
          line.map((t) => ({ content: t.content, style: readableStyle(t.htmlStyle) })),
        );
      };
    },
  };
}

/** What the page asks the worker, and what it answers (one reply per request, by id). */
export type TokenizeRequest = { id: number; code: string; lang: LangId };
export type TokenizeReply = { id: number; lines: HighlightToken[][] } | { id: number; error: string };

/** The worker's side of one request: tokens, or what went wrong. */
export async function answer(tokenizer: Tokenizer, request: TokenizeRequest): Promise<TokenizeReply> {
  try {
    return { id: request.id, lines: (await tokenizer.load(request.lang))(request.code) };
  } catch (err) {
    return { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
}
