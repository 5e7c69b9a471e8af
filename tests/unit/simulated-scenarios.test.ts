// The simulated provider's pure parts: the markdown answers, tool-input fragments, recorded-SSE splitting.
// What the answers say (subjects, real code) is tests/unit/simulated-corpus.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

import { createRng } from '../../src/main/providers/simulated/rng';
import { splitRecorded } from '../../src/main/providers/simulated/sse';
import { markdownTokens, tokenize } from '../../src/main/providers/simulated/text';
import {
  DEFAULT_EXPRESSION,
  expressionFrom,
  fragmentJson,
  toolCallsFor,
} from '../../src/main/providers/simulated/scenarios/tool';

/** No lone surrogate: a token split inside a character would have one. */
const wellFormed = (s: string): boolean =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/anthropic-recorded/', import.meta.url));

test('a markdown answer has exactly the asked number of tokens, hostile or not', () => {
  for (const topic of ['topic', 'rivers', 'ocean', 'cooking', 'streaming', 'queues', 'hello']) {
    for (const total of [1, 2, 3, 5, 13, 17, 299, 300, 301, 1234]) {
      for (const hostile of [false, true]) {
        expect([...markdownTokens(createRng(total), topic, total, { hostile })]).toHaveLength(total);
      }
    }
  }
});

test('the same seed gives the same tokens; another seed other tokens', () => {
  const a = [...markdownTokens(createRng(7), 'x', 300)].join('');
  expect([...markdownTokens(createRng(7), 'x', 300)].join('')).toBe(a);
  expect([...markdownTokens(createRng(8), 'x', 300)].join('')).not.toBe(a);
});

test('a default-length answer has markdown structure and never ends inside a code fence', () => {
  for (let seed = 0; seed < 200; seed++) {
    const text = [...markdownTokens(createRng(seed), 'topic', 300)].join('');
    expect((text.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(text).toMatch(/^# \S/);
    expect(text).toMatch(/^```\w+$/m);
    expect(text).toMatch(/^\| -+:? \|/m);
    expect(text).toMatch(/^(- |\d\. )/m);
  }
});

test('hostile text (opt-in): tokens are short, never split a character, and carry every kind of trouble', () => {
  const tokens = [...markdownTokens(createRng(3), 'topic', 5000, { hostile: true })];
  for (const token of tokens) {
    expect([...token].length).toBeLessThanOrEqual(15);
    expect(wellFormed(token)).toBe(true);
  }
  expect(tokens.some((t) => /[\u{1F300}-\u{1FAFF}]/u.test(t))).toBe(true);
  expect(tokens.some((t) => /[“”é]/.test(t))).toBe(true);
  expect(tokens.some((t) => /[\u0590-\u06FF]/.test(t))).toBe(true);
  // A grapheme cut between two deltas (a ZWJ family is 7 code points), never a surrogate pair.
  expect(tokens.some((t) => /\u200D$/.test(t))).toBe(true);
});

test('default text is plain prose: typographic punctuation, no emoji', () => {
  const text = [...markdownTokens(createRng(3), 'topic', 5000)].join('');
  expect(text).toMatch(/[’“”—≈°]/);
  expect(text).not.toMatch(/[\u{1F300}-\u{1FAFF}]/u);
});

test('tokenize keeps leading whitespace with the word and loses nothing', () => {
  expect(tokenize('Hello  wide\n\nworld')).toEqual(['Hello', '  wide', '\n\nworld']);
  const long = 'Extraordinarily 🌊🌊🌊🌊🌊🌊🌊🌊 long';
  expect(tokenize(long).join('')).toBe(long);
  expect(tokenize(long).every(wellFormed)).toBe(true);
});

test('tool JSON fragments: empty first, rejoin exactly, cut inside an escape and a number', () => {
  const json = '{"expression": "1 + 2", "precision": 12, "note": "say \\"hi\\"\\nthen"}';
  for (let seed = 0; seed < 50; seed++) {
    const fragments = fragmentJson(json, createRng(seed));
    expect(fragments[0]).toBe('');
    expect(fragments.join('')).toBe(json);
    expect(fragments.slice(1).every((f) => f.length >= 1 && f.length <= 6)).toBe(true);
    const cuts = fragments.map((_, i) => fragments.slice(0, i + 1).join('').length);
    expect(cuts).toContain(json.indexOf('\\') + 1);
    expect(cuts).toContain(json.indexOf(': 12') + 3);
  }
});

test('the calculator expression comes from the prompt', () => {
  expect(expressionFrom('What is 12 * (3 + 4)?')).toBe('12 * (3 + 4)');
  expect(expressionFrom('add 5 and 7')).toBe('5 + 7');
  expect(expressionFrom('6 times 7')).toBe('6 * 7');
  expect(expressionFrom('no numbers here')).toBe(DEFAULT_EXPRESSION);
});

test('the tools asked for follow the prompt', () => {
  const names = (prompt: string) => toolCallsFor(prompt).map((c) => c.name);
  expect(names('What is 2 + 2?')).toEqual(['calculator']);
  expect(names('What time is it?')).toEqual(['current_time']);
  expect(names('Use both tools')).toEqual(['calculator', 'current_time']);
  expect(names('What is 2 + 2, and the time in London?')).toEqual(['calculator', 'current_time']);
  expect(toolCallsFor('Time in London?')[0]?.input).toMatchObject({ timezone: 'Europe/London' });
});

test('recorded SSE splits into events that rejoin byte for byte, LF or CRLF', () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.sse'))) {
    const body = readFileSync(`${FIXTURES}${file}`, 'utf8');
    for (const variant of [
      body,
      body.replace(/\n/g, '\r\n'),
      `${body}event: error\ndata: {"type":"error"}`,
    ]) {
      const events = splitRecorded(variant);
      expect(events.map((e) => e.raw).join('')).toBe(variant);
      expect(events[0]?.type).toBe('message_start');
    }
    expect(splitRecorded(body).at(-1)?.type).toBe('message_stop');
  }
});
