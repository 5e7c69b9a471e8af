// Deterministic markdown filler, cut into word-ish deltas. Multi-byte characters (“quotes”, é,
// emoji, CJK) are common on purpose: a client that decodes UTF-8 per network chunk shows mojibake.
import type { Rng } from './rng';

const WORDS = [
  'stream',
  'token',
  'buffer',
  'chunk',
  'latency',
  'proxy',
  'socket',
  'delta',
  'event',
  'reader',
  'writer',
  'window',
  'signal',
  'relay',
  'sink',
  'upstream',
  'client',
  'server',
  'header',
  'timer',
  'queue',
  'budget',
  'the',
  'a',
  'each',
  'every',
  'quickly',
  'slowly',
  'never',
  'always',
  'carefully',
  'and',
  'but',
  'so',
  'then',
  'arrives',
  'flows',
  'waits',
  'drains',
  'pauses',
  'resumes',
  'measures',
  'splits',
  'joins',
  'keeps',
  'drops',
  'café',
  'naïve',
  'façade',
  'résumé',
  'über',
  'jalapeño',
  'São Paulo',
  'Zürich',
  'coöperate',
  'déjà vu',
  '“quoted”',
  '‘single’',
  '—',
  '→',
  '±',
  '°C',
  'Ω',
  'µs',
  '日本語',
  'ストリーム',
  'данные',
  'λ',
  '✨',
  '🚰',
  '🌊',
  '🚀',
] as const;
const CODE_WORDS = [
  'res.write()',
  'drain',
  'AbortSignal',
  'setImmediate',
  'TextDecoder',
  'message_stop',
] as const;
const NAMES = ['sluice', 'weir', 'channel', 'lock', 'gate', 'basin', 'flume', 'spillway'] as const;

/**
 * Word-ish pieces: leading whitespace stays with the word after it, like a real tokenizer; long
 * words are cut every few code points (never inside a surrogate pair).
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const piece of text.match(/\s*\S+|\s+/gu) ?? []) {
    const chars = Array.from(piece);
    for (let i = 0; i < chars.length; i += 7) out.push(chars.slice(i, i + 7).join(''));
  }
  return out;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function sentence(rng: Rng): string {
  const words: string[] = [];
  const n = rng.int(6, 14);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.06)) words.push(`\`${rng.pick(CODE_WORDS)}\``);
    else if (rng.chance(0.05)) words.push(`**${rng.pick(WORDS)}**`);
    else words.push(rng.pick(WORDS));
  }
  return `${capitalise(words.join(' '))}${rng.pick(['.', '.', '.', '!', '?'])}`;
}

const paragraph = (rng: Rng): string => Array.from({ length: rng.int(2, 4) }, () => sentence(rng)).join(' ');

function list(rng: Rng): string {
  const numbered = rng.chance(0.4);
  return Array.from({ length: rng.int(3, 5) }, (_, i) => {
    const bullet = numbered ? `${i + 1}.` : '-';
    return `${bullet} **${capitalise(rng.pick(NAMES))}**: ${sentence(rng)}`;
  }).join('\n');
}

function code(rng: Rng): string {
  const name = rng.pick(NAMES);
  const factor = rng.int(2, 9);
  if (rng.chance(0.5)) {
    return [
      '```ts',
      `function ${name}Rate(tokens: number, ms: number): number {`,
      `  // “${rng.pick(WORDS)}” → tokens per second`,
      `  return ms > 0 ? (tokens * 1000) / ms : ${factor};`,
      '}',
      '```',
    ].join('\n');
  }
  return [
    '```bash',
    `curl -N http://127.0.0.1:${8000 + factor}/v1/messages \\`,
    `  -H 'x-sluice-sim-tpot-ms: ${factor}'`,
    '```',
  ].join('\n');
}

function table(rng: Rng): string {
  const rows = Array.from({ length: rng.int(2, 4) }, () => {
    const name = capitalise(rng.pick(NAMES));
    return `| ${name} | ${rng.int(1, 999)} ms | ${rng.pick(WORDS)} ${rng.pick(WORDS)} |`;
  });
  return ['| Part | Latency | Note |', '| --- | ---: | --- |', ...rows].join('\n');
}

const SECTIONS: readonly ((rng: Rng) => string)[] = [
  paragraph,
  paragraph,
  list,
  code,
  table,
  (rng) => `> ${sentence(rng)}`,
  (rng) => `## ${capitalise(rng.pick(NAMES))} ${rng.pick(WORDS)}\n\n${paragraph(rng)}`,
];

/** Exactly `count` tokens of prose ending a sentence: the one kind of text safe to cut anywhere. */
function proseTokens(rng: Rng, count: number): string[] {
  const tokens: string[] = [];
  while (tokens.length < count) tokens.push(...tokenize(`${tokens.length ? ' ' : '\n\n'}${sentence(rng)}`));
  // A cut inside a word would leave "Latenc."; end on a whole word instead.
  const cutMidWord = tokens.length > count && !/^\s/u.test(tokens[count] ?? '');
  tokens.length = count;
  const last = tokens[count - 1] ?? '';
  if (cutMidWord) tokens[count - 1] = `${/^\s*/u.exec(last)?.[0] ?? ''}done.`;
  else if (!/[.!?]$/u.test(last)) tokens[count - 1] = `${last}.`;
  return tokens;
}

/** Words of the prompt, made safe for a markdown heading. */
export function topicOf(prompt: string): string {
  const words = prompt.match(/[\p{L}\p{N}]+/gu)?.slice(0, 6) ?? [];
  return words.length ? words.join(' ') : 'your question';
}

/**
 * Exactly `total` tokens of markdown (headings, lists, code, a table), lazily. Whole sections are
 * emitted while they fit; the remainder is prose, so a default-length answer never ends inside a
 * code fence. Only a max_tokens cut does that, as it would for real.
 */
export function* markdownTokens(rng: Rng, topic: string, total: number): Generator<string> {
  let emitted = 0;
  let section = `# On “${topic}”\n\n${paragraph(rng)}`;
  while (emitted < total) {
    let tokens = tokenize(section);
    if (tokens.length > total - emitted) tokens = proseTokens(rng, total - emitted);
    for (const token of tokens) yield token;
    emitted += tokens.length;
    section = `\n\n${rng.pick(SECTIONS)(rng)}`;
  }
}
