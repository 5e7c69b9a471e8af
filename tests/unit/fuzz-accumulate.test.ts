// Property tests (fast-check, fixed seed) for the message reducer, shared/accumulate.ts, over any
// event sequence — legal streams, the same streams with events dropped, repeated, swapped or junk
// inserted, and junk alone: it never throws nor mutates what it was given, a tool's input is
// parsed at most once and never before its block stops, and the text received is kept whole and
// in order.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { accumulate, createMessage, finalizeMessage, isToolBlock, textOf } from '../../src/shared/accumulate';
import type { AccMessage, StreamEvent, ToolInputState } from '../../src/shared/protocol';
import { anyEvents, fuzzParams, legalEvents, planText, streamPlan } from '../support/fuzz';
import { deepFreeze, type UnknownEvent } from '../support/stream-events';

type Any = StreamEvent | UnknownEvent;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const validIndex = (i: unknown): i is number =>
  Number.isInteger(i) && (i as number) >= 0 && (i as number) <= 10_000;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * What each block must hold, followed the slow, obvious way: a block starts once (after
 * message_start), takes the deltas of its own kind until its stop, and keeps everything it took,
 * in arrival order.
 */
function expectedContent(events: readonly Any[]): Map<number, { type: string; content: string }> {
  let started = false;
  const blocks = new Map<number, { type: string; content: string }>();
  const stopped = new Set<number>();
  for (const e of events) {
    if (!isRecord(e)) continue;
    if (e.type === 'message_start') started = true;
    const index = (e as { index?: unknown }).index;
    if (!started || !validIndex(index)) continue;
    const block = blocks.get(index);
    if (e.type === 'content_block_start' && !block && isRecord(e.content_block)) {
      const cb: Record<string, unknown> = e.content_block;
      const type = str(cb.type);
      blocks.set(index, {
        type,
        content: type === 'text' ? str(cb.text) : type === 'thinking' ? str(cb.thinking) : '',
      });
    }
    if (e.type === 'content_block_delta' && block && !stopped.has(index) && isRecord(e.delta)) {
      const d: Record<string, unknown> = e.delta;
      if (d.type === 'text_delta' && block.type === 'text') block.content += str(d.text);
      if (d.type === 'thinking_delta' && block.type === 'thinking') block.content += str(d.thinking);
      if (d.type === 'input_json_delta' && (block.type === 'tool_use' || block.type === 'server_tool_use'))
        block.content += str(d.partial_json);
    }
    if (e.type === 'content_block_stop' && block) stopped.add(index);
  }
  return blocks;
}

const contentOf = (msg: AccMessage, index: number): string | undefined => {
  const b = msg.blocks[index];
  if (b?.type === 'text') return b.text;
  if (b?.type === 'thinking') return b.thinking;
  if (isToolBlock(b)) return b.inputJson;
  return undefined;
};

describe('accumulate over any event sequence', () => {
  test('never throws, never mutates its input, parses a tool input at most once and only at its stop', () => {
    fc.assert(
      fc.property(anyEvents, (events) => {
        let msg = deepFreeze(createMessage());
        const settled = new Map<number, ToolInputState>();
        for (const event of events) {
          // Frozen: a reducer that wrote into the message it was given would throw here.
          msg = deepFreeze(accumulate(msg, event as StreamEvent));
          msg.blocks.forEach((block, index) => {
            if (!isToolBlock(block)) return;
            expect(block.parseAttempts).toBeLessThanOrEqual(1);
            if (block.input.status === 'streaming') {
              expect(block.parseAttempts).toBe(0);
              return;
            }
            // Settled only once its block stopped, and never again after.
            expect(msg.stoppedBlocks).toContain(index);
            const before = settled.get(index);
            if (before) expect(block.input).toBe(before);
            settled.set(index, block.input);
          });
        }
        const final = finalizeMessage(msg);
        for (const block of final.blocks) {
          if (!isToolBlock(block)) continue;
          expect(block.input.status).not.toBe('streaming');
          expect(block.parseAttempts).toBeLessThanOrEqual(1);
        }
        expect(finalizeMessage(final)).toBe(final);
      }),
      fuzzParams(400),
    );
  });

  test('every block keeps what it received, whole and in arrival order', () => {
    fc.assert(
      fc.property(anyEvents, (events) => {
        const msg = finalizeMessage(
          events.reduce<AccMessage>((m, e) => accumulate(m, e as StreamEvent), createMessage()),
        );
        const expected = expectedContent(events);
        for (const [index, block] of expected) {
          const got = contentOf(msg, index);
          if (block.type === 'text' || block.type === 'thinking' || block.type.endsWith('tool_use'))
            expect(got, `block ${index} (${block.type})`).toBe(block.content);
        }
        // No block appears that no start made.
        msg.blocks.forEach((_b, index) => expect(expected.has(index)).toBe(true));
      }),
      fuzzParams(400),
    );
  });
});

describe('accumulate over legal streams', () => {
  test('the message is finished, error-free, with all the text, and each tool parsed exactly once', () => {
    fc.assert(
      fc.property(streamPlan, (plan) => {
        const msg = finalizeMessage(legalEvents(plan).reduce(accumulate, createMessage()));
        expect(msg.finished).toBe(true);
        expect(msg.protocolErrors).toEqual([]);
        expect(msg.ignoredEvents).toBe(0);
        expect(textOf(msg)).toBe(planText(plan));
        expect(msg.stopReason).toBe(plan.stopReason);
        plan.blocks.forEach((b, index) => {
          const block = msg.blocks[index];
          if (b.kind !== 'tool_use' && b.kind !== 'server_tool_use') return;
          if (!isToolBlock(block)) throw new Error(`block ${index} is ${block?.type}`);
          const json = b.fragments.join('');
          expect(block.inputJson).toBe(json);
          expect(block.parseAttempts).toBe(json.trim() === '' ? 0 : 1);
          expect(block.input.status).not.toBe('streaming');
        });
      }),
      fuzzParams(300),
    );
  });
});
