// The text of simulated answers, cut into word-ish deltas. An answer is written from the corpus
// (corpus.ts): the subject is chosen by the prompt's words, the variants and their order by the
// seeded PRNG, so the same prompt always gives the same bytes. Opt-in `hostile` text weaves emoji,
// ZWJ sequences, RTL scripts, combining marks and astral characters into the same answer, for the
// tests of clients that decode or split text per chunk.
import { CLOSINGS, GENERIC_THOUGHTS, SUBJECTS, type Section, type Subject } from './corpus';
import { createRng, hashString, type Rng } from './rng';

export type TextOptions = {
  /** Weave hostile Unicode into the prose (never into code blocks). Default false. */
  hostile?: boolean;
  /** The answer goes on after text of its own (a prefill it did not write): no title, a blank line first. */
  continuing?: boolean;
};

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

/** The prompt's words: what the subject is chosen from. */
export function topicOf(prompt: string): string {
  const words = prompt.match(/[\p{L}\p{N}]+/gu)?.slice(0, 200) ?? [];
  return words.length ? words.join(' ') : 'your question';
}

const BY_ID = new Map(SUBJECTS.map((s) => [s.id, s]));

/**
 * The subject whose keywords the topic's words hit most often (a tie goes to the one hit first);
 * with no hit, one chosen by the topic's hash, so a prompt always gets the same subject.
 */
export function subjectFor(topic: string): Subject {
  const words = topic.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  let best: { subject: Subject; hits: number; first: number } | null = null;
  for (const subject of SUBJECTS) {
    let hits = 0;
    let first = Infinity;
    words.forEach((word, i) => {
      if (!subject.keywords.includes(word)) return;
      hits += 1;
      first = Math.min(first, i);
    });
    if (hits > 0 && (!best || hits > best.hits || (hits === best.hits && first < best.first))) {
      best = { subject, hits, first };
    }
  }
  return best?.subject ?? (SUBJECTS[hashString(topic) % SUBJECTS.length] as Subject);
}

// ───── Hostile text (opt-in) ─────

/** Multi-byte pieces that break clients which decode, split or measure text naively. */
const HOSTILE = [
  'café',
  'naïve',
  'façade',
  'über',
  'jalapeño',
  'São Paulo',
  'Zürich',
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
  // Beyond the BMP and beyond one code point per character.
  '𠮷野家',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '👩‍💻',
  '👨‍👩‍👧‍👦',
  '🇯🇵🇧🇷',
  '1️⃣',
  '❤️',
  // Right to left, and combining marks (NFD é, Hebrew points, stacked diacritics).
  'שָׁלוֹם',
  'مرحبا بالعالم',
  'Ame\u0301lie',
  'Z\u0351\u0357a\u0334l\u0337g\u0336o',
  'zero\u200Bwidth',
  'ﬁ',
  'Ｗｉｄｅ',
] as const;

/**
 * Inserts hostile pieces between the words of every line outside code fences and inline code,
 * never before a line's first word, so headings, list items and table rows keep their shape.
 */
function roughen(text: string, rng: Rng): string {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) {
        fenced = !fenced;
        return line;
      }
      if (fenced || /^\|[\s:|-]*$/.test(line)) return line;
      const words = line.split(' ');
      let inCode = false;
      return words
        .map((word, i) => {
          const before = i > 0 && !inCode && word !== '' && rng.chance(0.18);
          if ((word.match(/`/g)?.length ?? 0) % 2 === 1) inCode = !inCode;
          return before ? `${rng.pick(HOSTILE)} ${word}` : word;
        })
        .join(' ');
    })
    .join('\n');
}

// ───── Answers ─────

const cache = new Map<string, string[]>();
/** Corpus sections recur in long answers: tokenize each once. */
function tokenized(text: string): string[] {
  let tokens = cache.get(text);
  if (!tokens) {
    tokens = tokenize(text);
    if (cache.size < 4096) cache.set(text, tokens);
  }
  return tokens;
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** A block of an answer and the subject it belongs to (whose prose ends the answer if it is cut there). */
type Block = { text: string; subject: Subject };

const render = (section: Section, level: number): string =>
  section.heading ? `${'#'.repeat(level)} ${section.heading}\n\n${section.body}` : section.body;

/**
 * The blocks of an answer, without the blank lines between them, forever: the title, an intro, then
 * a list, a table and a code block short enough for a default-length answer (in a seeded order),
 * the subject's other sections, its related subjects, the rest of the corpus, and round again.
 */
function* blocks(subject: Subject, rng: Rng): Generator<Block> {
  const of = (text: string, from: Subject = subject): Block => ({ text, subject: from });
  yield of(`# ${rng.pick(subject.titles)}`);
  yield of(rng.pick(subject.intros));
  const opening = shuffled(
    (['list', 'table', 'code'] as const).map((kind) =>
      rng.pick(subject.sections.filter((s) => s.kind === kind && !s.later)),
    ),
    rng,
  );
  for (const section of opening) yield of(render(section, 2));
  const rest = subject.sections.filter((s) => !opening.includes(s));
  for (const section of shuffled(rest, rng)) yield of(render(section, 2));
  const related = subject.related.flatMap((id) => BY_ID.get(id) ?? []);
  const others = SUBJECTS.filter((s) => s !== subject && !related.includes(s) && s.id !== 'general');
  let next = [...related, ...shuffled(others, rng)];
  for (;;) {
    for (const other of next) {
      yield of(`## ${rng.pick(other.titles)}\n\n${rng.pick(other.intros)}`, other);
      for (const section of shuffled(other.sections, rng)) yield of(render(section, 3), other);
    }
    next = shuffled(SUBJECTS, rng);
  }
}

const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z“‘(`])/u;
type Prose = { sentences: string[]; starts: number[] };
const proseCache = new Map<Subject, Prose>();
/** The subject's prose sections, sentence by sentence in reading order, and where each paragraph starts. */
function proseOf(subject: Subject): Prose {
  let prose = proseCache.get(subject);
  if (!prose) {
    prose = { sentences: [], starts: [] };
    for (const section of subject.sections) {
      if (section.kind !== 'prose') continue;
      prose.starts.push(prose.sentences.length);
      prose.sentences.push(...section.body.split(SENTENCE_END));
    }
    proseCache.set(subject, prose);
  }
  return prose;
}

/** The longest closing; a remainder up to this is always met exactly by one (tests check it). */
export const CLOSING_MAX = 12;

/** A closing of exactly `count` tokens after `prefix`, or null. */
export function closing(count: number, prefix: string, rng: Rng): string[] | null {
  const fits = CLOSINGS.map((c) => tokenize(`${prefix}${c}`)).filter((t) => t.length === count);
  return fits.length ? rng.pick(fits) : null;
}

/** A sentence, then its shorter forms: cut after each clause (at a comma, semicolon or colon). */
function* shortenings(sentence: string): Generator<string> {
  yield sentence;
  const cuts = [...sentence.matchAll(/[,;:](?=\s)/gu)].map((m) => m.index).reverse();
  for (const cut of cuts) yield `${sentence.slice(0, cut)}.`;
}

/**
 * Exactly `count` tokens of prose: the subject's sentences in reading order from the start of a
 * seeded paragraph, the last of them cut after a clause if it is too long, then a short closing.
 * Prose is the one kind of text safe to end on, so an answer of any length ends on a whole
 * sentence and never inside a code fence.
 */
function proseTokens(
  subject: Subject,
  rng: Rng,
  count: number,
  prefix: string,
  rough: (s: string) => string,
): string[] {
  const out: string[] = [];
  const { sentences, starts } = proseOf(subject);
  let at = rng.pick(starts);
  while (out.length < count) {
    const left = count - out.length;
    let piece: string[] | null = null;
    // The next sentence, or the longest clause of it that fits and leaves nothing or room for more
    // than a one- or two-word closing; if none of it fits, the one after, and so on.
    for (let k = 0; left > CLOSING_MAX && !piece && k < sentences.length; k++) {
      const sentence = sentences[at % sentences.length] as string;
      at += 1;
      for (const form of shortenings(sentence)) {
        const tokens = tokenize(`${prefix}${rough(form)}`);
        const rest = left - tokens.length;
        if (rest === 0 || rest >= 3) {
          piece = tokens;
          break;
        }
      }
    }
    piece ??= closing(Math.min(left, CLOSING_MAX), prefix, rng);
    // Unreachable while CLOSINGS meets every count up to CLOSING_MAX (tested); never loop forever.
    piece ??= tokenize(`${prefix}${'so '.repeat(left)}`.trimEnd()).slice(0, left);
    out.push(...piece);
    prefix = ' ';
  }
  return out;
}

const HOSTILE_SEED = 0x5eed_f00d;

/**
 * Exactly `total` tokens of markdown (headings, lists, a table, code) about the topic's subject,
 * lazily. Whole blocks are emitted while they fit; the remainder is prose, so an answer never ends
 * inside a code fence. Only a max_tokens cut does that, as it would for real.
 */
export function* markdownTokens(
  rng: Rng,
  topic: string,
  total: number,
  options: TextOptions = {},
): Generator<string> {
  const subject = subjectFor(topic);
  const roughRng = createRng(hashString(topic, HOSTILE_SEED));
  const rough = options.hostile ? (s: string) => roughen(s, roughRng) : (s: string) => s;
  let emitted = 0;
  let title = true;
  for (const block of blocks(subject, rng)) {
    if (emitted >= total) return;
    if (title && options.continuing) {
      title = false;
      continue;
    }
    const prefix = emitted === 0 && !options.continuing ? '' : '\n\n';
    let tokens = options.hostile
      ? tokenize(`${prefix}${rough(block.text)}`)
      : tokenized(`${prefix}${block.text}`);
    if (tokens.length > total - emitted) {
      tokens = proseTokens(block.subject, rng, total - emitted, prefix, rough);
    }
    yield* tokens;
    emitted += tokens.length;
  }
}

/**
 * Thoughts for sim-reasoning, one sentence each, forever: the subject's own line of thought in
 * order, then general reasoning and the subject's paragraphs (each read in order) in a seeded
 * order, reshuffled each time round.
 */
export function* thinkingSentences(rng: Rng, topic: string, options: TextOptions = {}): Generator<string> {
  const subject = subjectFor(topic);
  const roughRng = createRng(hashString(topic, HOSTILE_SEED ^ 1));
  const rough = options.hostile ? (s: string) => roughen(s, roughRng) : (s: string) => s;
  for (const thought of subject.thinking) yield rough(thought);
  const { sentences, starts } = proseOf(subject);
  const paragraphs = starts.map((start, i) => sentences.slice(start, starts[i + 1] ?? sentences.length));
  const deck = [...GENERIC_THOUGHTS.map((t) => [t]), ...paragraphs];
  let last: string[] = [];
  for (;;) {
    for (const unit of shuffled(deck, rng)) {
      if (unit === last) continue;
      last = unit;
      for (const thought of unit) yield rough(thought);
    }
  }
}

/** A fixed sentence as deltas, roughened when hostile text was asked for. */
export function proseDeltas(text: string, seed: number, options: TextOptions = {}): string[] {
  return tokenize(options.hostile ? roughen(text, createRng(hashString(text, seed))) : text);
}

/**
 * The tokens after `prefill`, if the prefill is how they begin: a prefill that ends inside a token
 * makes the first delta that token's tail. Null when the tokens do not begin with the prefill.
 * Reads only as far as the prefill reaches before it decides.
 */
export function continuation(prefill: string, tokens: Iterable<string>): Generator<string> | null {
  const it = tokens[Symbol.iterator]();
  let at = 0;
  let tail = '';
  while (at < prefill.length) {
    const next = it.next();
    if (next.done) return null;
    const token = next.value;
    const left = prefill.length - at;
    if (token.length <= left) {
      if (!prefill.startsWith(token, at)) return null;
      at += token.length;
    } else {
      if (!token.startsWith(prefill.slice(at))) return null;
      tail = token.slice(left);
      at = prefill.length;
    }
  }
  return (function* rest() {
    if (tail !== '') yield tail;
    for (let next = it.next(); !next.done; next = it.next()) yield next.value;
  })();
}
