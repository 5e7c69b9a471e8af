// The simulated provider's answers read as prose about the prompt's subject, with markdown
// structure and code that is real: TypeScript that transpiles cleanly (and runs where it prints),
// JSON that parses, Python that runs and prints what its comments say, shell that bash accepts.
import { spawnSync } from 'node:child_process';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

import { CLOSINGS, SUBJECTS } from '../../src/main/providers/simulated/corpus';
import { createRng, hashString } from '../../src/main/providers/simulated/rng';
import {
  CLOSING_MAX,
  closing,
  markdownTokens,
  subjectFor,
  thinkingSentences,
  tokenize,
  topicOf,
} from '../../src/main/providers/simulated/text';

/** What sim-text sends for a prompt: the same seed and topic as scenarios/text.ts. */
const answerTo = (prompt: string, tokens = 300, hostile = false): string =>
  [...markdownTokens(createRng(hashString(prompt)), topicOf(prompt), tokens, { hostile })].join('');

const fences = (text: string): { lang: string; body: string }[] =>
  [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] ?? '', body: m[2] ?? '' }));

const ASTRAL = /[\u{10000}-\u{10FFFF}]/u;

/** Every fenced block in the corpus, with where it came from. */
const BLOCKS = SUBJECTS.flatMap((s) =>
  s.sections.flatMap((section) =>
    fences(section.body).map((f) => ({ ...f, where: `${s.id} / ${section.heading ?? section.kind}` })),
  ),
);
const CORPUS_CODE = BLOCKS.map((b) => b.body);

describe('answers follow the prompt', () => {
  test('the same prompt gives the same text, token for token', () => {
    for (const prompt of ['Tell me about rivers', 'hi', 'What should I cook tonight?', 'qwerty']) {
      const tokens = (p: string) => [...markdownTokens(createRng(hashString(p)), topicOf(p), 500)];
      expect(tokens(prompt)).toEqual(tokens(prompt));
    }
    expect(answerTo('How do locks work?')).not.toBe(answerTo('How do weirs work?'));
  });

  test.each([
    ['Tell me about rivers', 'rivers', /\brivers?\b/i],
    ['Tell me about lakes', 'rivers', /\blakes?\b/i],
    ['How do sluices and weirs work?', 'rivers', /\b(river|lake|weir|sluice)s?\b/i],
    ['Tell me about the ocean', 'ocean', /\b(ocean|sea|tides?)\b/i],
    ['What should I cook tonight?', 'cooking', /\b(cook|cooking|heat|salt|pan)\b/i],
    ['How does SSE streaming work?', 'streaming', /\bstream(s|ing|ed)?\b/i],
    ['Think hard about queues', 'queues', /\b(queues?|backpressure)\b/i],
    ['hello', 'general', /simulated provider/i],
  ])('%s → %s', (prompt, id, pattern) => {
    expect(subjectFor(topicOf(prompt)).id).toBe(id);
    expect(answerTo(prompt)).toMatch(pattern);
  });

  test('the most-mentioned subject wins; no keyword at all still picks one, always the same', () => {
    expect(subjectFor('a stream of tokens fills the queue buffer until it can drain').id).toBe('queues');
    expect(subjectFor('rivers and the ocean').id).toBe('rivers');
    expect(subjectFor('the ocean and rivers').id).toBe('ocean');
    const unknown = subjectFor(topicOf('Zyx wvu'));
    expect(SUBJECTS).toContain(unknown);
    expect(subjectFor(topicOf('Zyx wvu'))).toBe(unknown);
    // Seeded by the words, not by luck: different unknown prompts spread over the subjects.
    const picked = new Set(Array.from({ length: 60 }, (_, i) => subjectFor(`nonsense${i}`).id));
    expect(picked.size).toBeGreaterThan(3);
  });

  test('sim-reasoning thinks about the same subject as it answers', () => {
    const thoughts = thinkingSentences(createRng(1), topicOf('Tell me about rivers'));
    const first = Array.from({ length: 3 }, () => thoughts.next().value ?? '');
    expect(first[0]).toMatch(/rivers and lakes/);
    expect(first.every((t) => /^[A-Z].*[.!?]$/.test(t))).toBe(true);
  });
});

describe('a default-length answer is structured markdown', () => {
  test('every subject: a title, a list, a table and a fenced code block, ending on a sentence', () => {
    for (const subject of SUBJECTS) {
      const prompt = `Tell me about ${subject.keywords[0] ?? ''}`;
      expect(subjectFor(topicOf(prompt))).toBe(subject);
      for (let seed = 0; seed < 40; seed++) {
        const text = [...markdownTokens(createRng(seed), topicOf(prompt), 300)].join('');
        expect(text).toMatch(/^# \S/);
        expect(text).toMatch(/^(- \*\*|1\. )/m);
        expect(text).toMatch(/^\| .* \|\n\| -*:?(?: \| -*:?)* \|$/m);
        expect(text).toMatch(/^```\w+\n[\s\S]+?\n```$/m);
        expect((text.match(/^```/gm) ?? []).length % 2).toBe(0);
        expect(text).toMatch(/[.!?]$/);
        expect(text).not.toMatch(ASTRAL);
      }
    }
  });

  test('every subject’s longest opening (title, intro, list, table, code) fits in 300 tokens', () => {
    const longest = (texts: string[]) => Math.max(...texts.map((t) => tokenize(`\n\n${t}`).length));
    for (const subject of SUBJECTS) {
      const opening = (kind: string) =>
        longest(
          subject.sections
            .filter((s) => s.kind === kind && !s.later)
            .map((s) => `## ${s.heading ?? ''}\n\n${s.body}`),
        );
      const total =
        longest(subject.titles.map((t) => `# ${t}`)) +
        longest([...subject.intros]) +
        opening('list') +
        opening('table') +
        opening('code');
      expect(total, subject.id).toBeLessThanOrEqual(300);
    }
  });

  test('a long answer moves on through the corpus and still ends on a sentence', () => {
    const text = answerTo('Tell me about rivers', 20_000);
    expect(text).toMatch(/^## (The ocean|The world ocean|Oceans, tides and waves)$/m);
    expect((text.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(text).toMatch(/[.!?]$/);
  });

  test('every remainder up to CLOSING_MAX is met exactly by one closing, after any prefix', () => {
    for (const prefix of ['', ' ', '\n\n']) {
      for (let n = 1; n <= CLOSING_MAX; n++) expect(closing(n, prefix, createRng(n))).toHaveLength(n);
    }
    expect(CLOSINGS.every((c) => /^[A-Z].*[.!?]$/.test(c))).toBe(true);
  });
});

describe('hostile text is opt-in', () => {
  test('it weaves emoji, RTL, combining marks and astral characters into the same answer', () => {
    const plain = answerTo('Tell me about rivers', 3000);
    const hostile = answerTo('Tell me about rivers', 3000, true);
    expect(hostile).not.toBe(plain);
    expect(hostile).toMatch(ASTRAL);
    expect(hostile).toMatch(/[\u0590-\u06FF]/); // Hebrew or Arabic
    expect(hostile).toMatch(/\p{M}/u); // a combining mark
    expect(hostile).toMatch(/\u200D/); // a ZWJ sequence
    expect(hostile).toMatch(/[日本語ストリーム]/);
    // The same markdown underneath, and code blocks untouched: the hostile text is never code.
    expect(hostile).toMatch(/^# \S/);
    expect(fences(hostile).length).toBeGreaterThan(0);
    for (const block of fences(hostile)) expect(CORPUS_CODE).toContain(block.body);
    expect(answerTo('Tell me about rivers', 3000, true)).toBe(hostile);
  });

  test('its tokens never split a surrogate pair', () => {
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const token of markdownTokens(createRng(3), 'topic', 5000, { hostile: true })) {
      expect([...token].length).toBeLessThanOrEqual(7);
      expect(token).not.toMatch(lone);
    }
  });
});

/** `print(...)  # expected` / `console.log(...); // expected`: what a line says it prints. */
const expectations = (body: string, marker: RegExp): string[] =>
  body.split('\n').flatMap((line) => {
    const m = marker.exec(line);
    return m?.[1] ? [m[1].trim()] : [];
  });
const has = (cmd: string): boolean => spawnSync(cmd, ['--version']).status === 0;

describe('the code in the corpus is real', () => {
  test('every language is one of the checked ones', () => {
    expect(new Set(BLOCKS.map((b) => b.lang))).toEqual(new Set(['ts', 'python', 'bash', 'json']));
    expect(BLOCKS.filter((b) => b.lang === 'ts').length).toBeGreaterThanOrEqual(4);
  });

  test.each(BLOCKS.filter((b) => b.lang === 'ts').map((b) => [b.where, b.body] as const))(
    'TypeScript: %s transpiles without diagnostics, and prints what it says',
    (_where, body) => {
      const out = ts.transpileModule(body, {
        reportDiagnostics: true,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, strict: true },
      });
      expect(out.diagnostics ?? []).toEqual([]);
      const expected = expectations(body, /console\.log\(.*\); \/\/ (.+)$/);
      if (expected.length === 0) return;
      const printed: string[] = [];
      const js = ts.transpileModule(body, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
      runInNewContext(js, { console: { log: (...args: unknown[]) => printed.push(args.join(' ')) } });
      expect(printed).toEqual(expected);
    },
  );

  test.each(BLOCKS.filter((b) => b.lang === 'json').map((b) => [b.where, b.body] as const))(
    'JSON: %s parses',
    (_where, body) => {
      expect(() => JSON.parse(body) as unknown).not.toThrow();
    },
  );

  test
    .skipIf(!has('python3'))
    .each(BLOCKS.filter((b) => b.lang === 'python').map((b) => [b.where, b.body] as const))(
    'Python: %s runs and prints what it says',
    (_where, body) => {
      const run = spawnSync('python3', ['-c', body], { encoding: 'utf8', timeout: 10_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const printed = run.stdout.trimEnd().split('\n');
      for (const line of expectations(body, /^\s*print\(.*\)\s+# (.+)$/)) expect(printed).toContain(line);
    },
  );

  test
    .skipIf(!has('bash'))
    .each(BLOCKS.filter((b) => b.lang === 'bash').map((b) => [b.where, b.body] as const))(
    'bash: %s is valid shell',
    (_where, body) => {
      const run = spawnSync('bash', ['-n'], { input: body, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    },
  );

  test('code blocks reach the stream whole: tokens rejoin to the corpus text', () => {
    const text = answerTo('Tell me about queues', 4000);
    for (const block of fences(text)) expect(CORPUS_CODE).toContain(block.body);
    expect(tokenize(text).join('')).toBe(text);
  });
});
