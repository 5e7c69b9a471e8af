// Property tests (fast-check, fixed seed) for the Chat Completions → shared wire translation,
// src/main/providers/openai-chunks.ts: the <think> tag scanner gives the same answer and
// reasoning however the content is split (at any character), and the translator, over any chunk
// sequence — well-formed, or with junk choices, deltas and tool calls, and chunks after the
// finish — never throws and always writes a wire the one reducer accepts without a protocol
// error, with every text kept in order and each tool input parsed at most once, at its stop.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { accumulate, createMessage, finalizeMessage, isToolBlock, textOf } from '../../src/shared/accumulate';
import type { AccMessage, StreamEvent } from '../../src/shared/protocol';
import { ChunkTranslator, ThinkTagScanner } from '../../src/main/providers/openai-chunks';
import { cutsFor, fuzzParams, piece } from '../support/fuzz';
import { splitAt } from '../support/sse';

type Mode = 'text' | 'thinking';

/** Adjacent pieces of one kind joined: how the reducer would see them. */
function merged(pieces: [Mode, string][]): [Mode, string][] {
  const out: [Mode, string][] = [];
  for (const [mode, text] of pieces) {
    const last = out.at(-1);
    if (last?.[0] === mode) last[1] += text;
    else out.push([mode, text]);
  }
  return out;
}

const scan = (parts: readonly string[]): [Mode, string][] => {
  const scanner = new ThinkTagScanner();
  return merged([...parts.flatMap((p) => scanner.feed(p)), ...scanner.flush()]);
};

/** Content made of tags, near-tags and text, where a split inside a tag is the hard case. */
const thinkContent = fc
  .array(
    fc.oneof(piece, fc.constantFrom('<think>', '</think>', '<think>\n', '</think>\n\n', '<thin', '</thi')),
    {
      maxLength: 10,
    },
  )
  .map((parts) => parts.join(''));

describe('the <think> tag scanner', () => {
  test('any split of the content, down to every character, gives the same answer and reasoning', () => {
    fc.assert(
      fc.property(
        thinkContent.chain((content) => fc.tuple(fc.constant(content), cutsFor(content.length))),
        ([content, cuts]) => {
          expect(scan(splitAt(content, cuts))).toEqual(scan([content]));
        },
      ),
      fuzzParams(500),
    );
  });

  test('nothing but the tags and the whitespace after one is dropped, and each piece keeps its kind and order', () => {
    /** The obvious reading: the tag the mode waits for switches it; everything else is that mode's text. */
    const reference = (content: string): [Mode, string][] => {
      const out: [Mode, string][] = [];
      let mode: Mode = 'text';
      let rest = content;
      for (;;) {
        const at = rest.indexOf(mode === 'text' ? '<think>' : '</think>');
        out.push([mode, at < 0 ? rest : rest.slice(0, at)]);
        if (at < 0) return out;
        rest = rest.slice(at + (mode === 'text' ? 7 : 8));
        mode = mode === 'text' ? 'thinking' : 'text';
      }
    };
    // Whitespace aside (the scanner trims what follows a tag), the pieces are the reference's.
    const squash = (pieces: [Mode, string][]) =>
      merged(pieces.map(([m, t]): [Mode, string] => [m, t.replace(/\s+/g, '')]).filter(([, t]) => t !== ''));
    fc.assert(
      fc.property(thinkContent, (content) => {
        expect(squash(scan([content]))).toEqual(squash(reference(content)));
      }),
      fuzzParams(300),
    );
  });
});

// ───────────────────────────── the translator ─────────────────────────────

type ChunkPlan =
  | { kind: 'content'; text: string }
  | { kind: 'reasoning'; field: 'reasoning_content' | 'reasoning'; text: string }
  | { kind: 'refusal'; text: string }
  | { kind: 'tool'; index: number; id: string | null; name: string | null; args: string }
  | { kind: 'finish'; reason: string }
  | { kind: 'usage' }
  | { kind: 'junk'; chunk: unknown };

const chunkPlan: fc.Arbitrary<ChunkPlan> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('content' as const), text: thinkContent }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('reasoning' as const),
      field: fc.constantFrom('reasoning_content' as const, 'reasoning' as const),
      text: piece,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refusal' as const), text: piece }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('tool' as const),
      index: fc.nat(2),
      id: fc.option(fc.constantFrom('call_a', 'call_b', 'call_0'), { nil: null }),
      name: fc.option(fc.constantFrom('calculator', 'current_time'), { nil: null }),
      args: fc.constantFrom('', '{', '"x"', ':', '1', '}', '{"a":1}', 'nope'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('finish' as const),
      reason: fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'odd'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'usage' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('junk' as const),
      chunk: fc.constantFrom<unknown>(
        null,
        7,
        {},
        { choices: null },
        { choices: [null] },
        { choices: [{ index: 1, delta: { content: 'other choice' } }] },
        { choices: [{ index: 0, delta: null }] },
        { choices: [{ index: 0, delta: { tool_calls: [null, 3, { index: 'x' }] } }] },
        { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: { a: 1 } } }] } }] },
        { choices: [{ index: 0, delta: { function_call: { name: 'calculator', arguments: '{}' } } }] },
        { choices: [{ index: 0, delta: { content: 5, refusal: {} } }] },
        { usage: { prompt_tokens: 'x', completion_tokens: 3 } },
      ),
    }),
  },
);

function chunkOf(plan: ChunkPlan): unknown {
  const wrap = (delta: object, finish: string | null = null) => ({
    id: 'chatcmpl-f',
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  switch (plan.kind) {
    case 'content':
      return wrap({ content: plan.text });
    case 'reasoning':
      return wrap({ [plan.field]: plan.text });
    case 'refusal':
      return wrap({ refusal: plan.text });
    case 'tool':
      return wrap({
        tool_calls: [
          {
            index: plan.index,
            ...(plan.id ? { id: plan.id } : {}),
            function: { ...(plan.name ? { name: plan.name } : {}), arguments: plan.args },
          },
        ],
      });
    case 'finish':
      return wrap({}, plan.reason);
    case 'usage':
      return { id: 'chatcmpl-f', model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } };
    case 'junk':
      return plan.chunk;
  }
}

const chunkPlans = fc.array(chunkPlan, { maxLength: 14 });

function translate(chunks: readonly unknown[]): { events: StreamEvent[]; message: AccMessage } {
  let n = 0;
  const t = new ChunkTranslator({ newId: () => `call_fresh_${++n}` });
  const events = [...chunks.flatMap((c) => t.push(c)), ...t.end()];
  return { events, message: finalizeMessage(events.reduce(accumulate, createMessage())) };
}

const thinkingOf = (m: AccMessage) =>
  m.blocks.map((b) => (b?.type === 'thinking' ? b.thinking : '')).join('');

describe('the chunk translator over any chunk sequence', () => {
  test('never throws, and writes a wire the reducer takes without a protocol error or an ignored event', () => {
    fc.assert(
      fc.property(chunkPlans, (plans) => {
        const { events, message } = translate(plans.map(chunkOf));
        expect(message.protocolErrors).toEqual([]);
        expect(message.ignoredEvents).toBe(0);
        if (events.length > 0) expect(events[0]?.type).toBe('message_start');
        expect(events.filter((e) => e.type === 'message_start')).toHaveLength(events.length > 0 ? 1 : 0);
        // Complete iff a finish_reason arrived.
        const finished = plans.some((p) => p.kind === 'finish');
        expect(message.finished).toBe(finished);
        if (finished) expect(events.at(-1)?.type).toBe('message_stop');
        // Each block starts once, stops at most once, and takes no delta after its stop.
        const stopped = new Set<number>();
        for (const e of events) {
          if (e.type === 'content_block_stop') {
            expect(stopped.has(e.index)).toBe(false);
            stopped.add(e.index);
          }
          if (e.type === 'content_block_delta') expect(stopped.has(e.index)).toBe(false);
        }
        for (const block of message.blocks) {
          if (isToolBlock(block)) expect(block.parseAttempts).toBeLessThanOrEqual(1);
        }
      }),
      fuzzParams(500),
    );
  });

  test('content, reasoning and refusals before the finish are kept whole and in order', () => {
    fc.assert(
      fc.property(
        chunkPlans.map((plans) => plans.filter((p) => p.kind !== 'junk' && p.kind !== 'tool')),
        (plans) => {
          const { message } = translate(plans.map(chunkOf));
          const end = plans.findIndex((p) => p.kind === 'finish');
          const before = end < 0 ? plans : plans.slice(0, end);
          // The expected split: reasoning fields are thinking, refusals are text, content goes through the scanner.
          const scanner = new ThinkTagScanner();
          const expected: [Mode, string][] = [];
          for (const p of before) {
            if (p.kind === 'reasoning' && p.text) expected.push(['thinking', p.text]);
            if (p.kind === 'content') expected.push(...scanner.feed(p.text));
            if (p.kind === 'refusal' && p.text) expected.push(['text', p.text]);
          }
          expected.push(...scanner.flush());
          const text = merged(expected)
            .filter(([m]) => m === 'text')
            .map(([, t]) => t)
            .join('');
          const thinking = merged(expected)
            .filter(([m]) => m === 'thinking')
            .map(([, t]) => t)
            .join('');
          expect(textOf(message)).toBe(text);
          expect(thinkingOf(message)).toBe(thinking);
        },
      ),
      fuzzParams(400),
    );
  });

  test('splitting any content chunk in two, at any character, changes nothing', () => {
    fc.assert(
      fc.property(
        chunkPlans.chain((plans) => fc.tuple(fc.constant(plans), fc.nat(), fc.nat())),
        ([plans, which, cut]) => {
          const contents = plans.flatMap((p, i) => (p.kind === 'content' && p.text.length > 1 ? [i] : []));
          fc.pre(contents.length > 0);
          const at = contents[which % contents.length] as number;
          const text = (plans[at] as { text: string }).text;
          const c = 1 + (cut % (text.length - 1));
          const split: ChunkPlan[] = [
            ...plans.slice(0, at),
            { kind: 'content', text: text.slice(0, c) },
            { kind: 'content', text: text.slice(c) },
            ...plans.slice(at + 1),
          ];
          const a = translate(plans.map(chunkOf)).message;
          const b = translate(split.map(chunkOf)).message;
          expect(textOf(b)).toBe(textOf(a));
          expect(thinkingOf(b)).toBe(thinkingOf(a));
          expect(b.blocks.map((x) => (isToolBlock(x) ? [x.name, x.inputJson, x.input] : x?.type))).toEqual(
            a.blocks.map((x) => (isToolBlock(x) ? [x.name, x.inputJson, x.input] : x?.type)),
          );
          expect([b.stopReason, b.finished, b.usage]).toEqual([a.stopReason, a.finished, a.usage]);
        },
      ),
      fuzzParams(300),
    );
  });

  test('each tool call keeps its arguments whole, in order, parsed at most once', () => {
    fc.assert(
      fc.property(chunkPlans, (plans) => {
        const { message } = translate(plans.map(chunkOf));
        const end = plans.findIndex((p) => p.kind === 'finish');
        const before = end < 0 ? plans : plans.slice(0, end);
        const tools = message.blocks.filter(isToolBlock);
        const args = before.flatMap((p) => (p.kind === 'tool' ? [p.args] : []));
        // However the calls were numbered, every argument fragment lands in some tool, in order.
        expect(tools.map((t) => t.inputJson).join('').length).toBeGreaterThanOrEqual(args.join('').length);
        const all = tools.map((t) => t.inputJson).join('');
        for (const t of tools) {
          expect(t.parseAttempts).toBeLessThanOrEqual(1);
          if (end < 0) expect(t.input.status).toBe('failed'); // cut before the finish: never parsed
        }
        if (before.every((p) => p.kind !== 'junk')) expect(all.length).toBe(args.join('').length);
      }),
      fuzzParams(400),
    );
  });
});
