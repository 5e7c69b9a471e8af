// The colour tokens, read from the stylesheet itself (each written once as light-dark(light, dark)),
// checked pair by pair against WCAG 2.2 AA: 4.5:1 for text, 3:1 for focus rings and other UI parts,
// in both themes, on every surface each is drawn on (hover and active states included).
import { expect, test } from 'vitest';
import {
  composite,
  contrastRatio,
  parseHex,
  readableOn,
  type Rgb,
} from '../../src/renderer/src/lib/contrast';
import { CODE_BACKGROUND, readableStyle } from '../../src/renderer/src/markdown/highlight';

type Scheme = 'light' | 'dark';

function tokens(css: string): Record<string, Record<Scheme, string>> {
  const out: Record<string, Record<Scheme, string>> = {};
  for (const m of css.matchAll(/--([a-z-]+):\s*light-dark\(\s*(#[0-9a-f]+)\s*,\s*(#[0-9a-f]+)\s*\)/gi)) {
    out[m[1]!] = { light: m[2]!, dark: m[3]! };
  }
  return out;
}

// Vitest hands CSS imports over empty, and this project has no Node types: read the file through
// Node's own module, looked up at run time.
type Fs = { readFileSync(path: URL, encoding: 'utf8'): string };
const { process } = globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } };
const fs = process.getBuiltinModule('node:fs') as Fs;
const sheet = fs.readFileSync(new URL('../../src/renderer/src/styles/base.css', import.meta.url), 'utf8');
const TOKENS = tokens(sheet);
// A notice's detail line is drawn in its notice's colour, at the opacity messages.css gives it.
const messages = fs.readFileSync(
  new URL('../../src/renderer/src/styles/messages.css', import.meta.url),
  'utf8',
);
const DETAIL_OPACITY = Number(/\.notice \.detail \{[^}]*?opacity:\s*([\d.]+)/.exec(messages)?.[1] ?? 1);

function rgbOf(name: string, scheme: Scheme): Rgb {
  const literal = name.startsWith('#') ? name : TOKENS[name]?.[scheme];
  const parsed = literal ? parseHex(literal) : null;
  if (!parsed) throw new Error(`no colour ${name} in base.css`);
  return parsed.rgb;
}

/** foreground (optionally at an opacity) on background, and the ratio it needs. */
type Pair = { fg: string; bg: string; min: number; alpha?: number; where: string };

const SURFACES = ['bg', 'bg-sidebar', 'bg-subtle', 'bg-hover', 'bg-code'];
const on = (fg: string, bgs: string[], min: number, where: string): Pair[] =>
  bgs.map((bg) => ({ fg, bg, min, where }));

const PAIRS: Pair[] = [
  ...on('text', [...SURFACES, 'user-bubble'], 4.5, 'body text, titles, hovered ghost and icon buttons'),
  ...on('text-muted', SURFACES, 4.5, 'buttons at rest, labels, tool heads, chips, active sidebar dates'),
  ...on(
    'text-faint',
    ['bg', 'bg-sidebar', 'bg-subtle', 'bg-code'],
    4.5,
    'composer hint, dates, metrics, model name, code-block language, hints, placeholders',
  ),
  ...on('accent', ['bg', 'bg-sidebar', 'accent-soft'], 4.5, 'links, skip link, key status, badge, avatar'),
  ...on('on-accent', ['accent', 'accent-hover'], 4.5, 'primary and Send buttons, at rest and hovered'),
  { fg: 'bg', bg: 'text', min: 4.5, where: 'the Stop button' },
  ...on('error', ['bg', 'error-soft', 'bg-hover'], 4.5, 'error notices, Retry at rest and hovered'),
  { fg: 'error', bg: 'error-soft', alpha: DETAIL_OPACITY, min: 4.5, where: 'an error notice’s detail line' },
  { fg: 'warn', bg: 'warn-soft', alpha: DETAIL_OPACITY, min: 4.5, where: 'a warning notice’s detail line' },
  ...on('warn', ['bg', 'warn-soft', 'bg-hover'], 4.5, 'banner, Simulated badge, warning buttons'),
  { fg: 'on-error', bg: 'error', min: 4.5, where: 'the Delete button' },
  ...on('focus', [...SURFACES, 'user-bubble'], 3, 'the focus ring'),
  ...on('accent', ['bg'], 3, 'the message box’s focus ring'),
];

function ratioOf(pair: Pair, scheme: Scheme): number {
  const bg = rgbOf(pair.bg, scheme);
  const fg = composite(rgbOf(pair.fg, scheme), pair.alpha ?? 1, bg);
  return contrastRatio(fg, bg);
}

test('every token pair meets WCAG 2.2 AA in both themes', () => {
  const failures: string[] = [];
  for (const pair of PAIRS) {
    for (const scheme of ['light', 'dark'] as const) {
      const ratio = ratioOf(pair, scheme);
      if (ratio < pair.min)
        failures.push(
          `${scheme}: --${pair.fg} on --${pair.bg}${pair.alpha ? ` at ${pair.alpha}` : ''} is ` +
            `${ratio.toFixed(2)}:1, needs ${pair.min}:1 (${pair.where})`,
        );
    }
  }
  expect(failures).toEqual([]);
});

test('the old faint grey is what this check catches', () => {
  const old = { light: '#8d8d85', dark: '#7f7e78' };
  expect(contrastRatio(parseHex(old.light)!.rgb, rgbOf('bg', 'light'))).toBeLessThan(4.5);
  expect(contrastRatio(parseHex(old.dark)!.rgb, rgbOf('bg-hover', 'dark'))).toBeLessThan(4.5);
});

test('the highlighter knows the code background the stylesheet draws', () => {
  expect(CODE_BACKGROUND).toEqual(TOKENS['bg-code']);
});

test('syntax colours too faint for the code background are deepened just enough; others are kept', () => {
  // github-light's orange and github-dark's comment grey are short of 4.5:1 on these backgrounds.
  const style = readableStyle({ '--shiki-light': '#E36209', '--shiki-dark': '#6A737D' });
  for (const scheme of ['light', 'dark'] as const) {
    const color = style[`--shiki-${scheme}`]!;
    const ratio = contrastRatio(parseHex(color)!.rgb, parseHex(CODE_BACKGROUND[scheme])!.rgb);
    expect(ratio).toBeGreaterThanOrEqual(4.5);
    expect(ratio).toBeLessThan(5.2);
  }
  expect(readableOn('#24292e', CODE_BACKGROUND.light, 4.6)).toBe('#24292e');
});
