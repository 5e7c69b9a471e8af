// The reducer on the DESIGN.md edge cases that reach it: block kinds, stop reasons, usage, unknown
// types, errors, impossible orders and immutability.
import { expect, test } from 'vitest';
import { accumulate, createMessage, textOf } from '../../../src/shared/accumulate';
import type { AccMessage, KnownStopReason, StreamEvent } from '../../../src/shared/protocol';
import { fixtureEvents } from '../../support/sse';
import {
  blockStart,
  blockStop,
  citationDelta,
  deepFreeze,
  errorEvent,
  jsonDelta,
  messageDelta,
  messageStart,
  messageStop,
  ping,
  reduce,
  signatureDelta,
  textDelta,
  textStart,
  textStream,
  thinkingDelta,
  thinkingStart,
  toolStart,
} from '../../support/stream-events';

test('thinking then signature then text: both blocks, the signature replacing the empty one', () => {
  const msg = reduce([
    messageStart(),
    thinkingStart(0),
    thinkingDelta(0, 'Let me '),
    thinkingDelta(0, 'think.'),
    signatureDelta(0, 'sig=='),
    blockStop(0),
    textStart(1),
    textDelta(1, 'Answer.'),
    blockStop(1),
    messageDelta('end_turn'),
    messageStop(),
  ]);
  expect(msg.blocks).toEqual([
    { type: 'thinking', thinking: 'Let me think.', signature: 'sig==' },
    { type: 'text', text: 'Answer.', citations: [] },
  ]);
  expect(textOf(msg)).toBe('Answer.');
});

test('redacted_thinking is kept byte for byte', () => {
  const data = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP\u0000\u2028é😀==';
  const msg = reduce([messageStart(), blockStart(0, { type: 'redacted_thinking', data }), blockStop(0)]);
  expect(msg.blocks).toEqual([{ type: 'redacted_thinking', data }]);
});

test('citations_delta events are appended to the text block in order', () => {
  const a = { type: 'char_location', cited_text: 'a' };
  const b = { type: 'char_location', cited_text: 'b' };
  const msg = reduce([
    messageStart(),
    textStart(0),
    textDelta(0, 'x'),
    citationDelta(0, a),
    citationDelta(0, b),
  ]);
  expect(msg.blocks[0]).toEqual({ type: 'text', text: 'x', citations: [a, b] });
});

test('blocks are kept at their wire index, leaving holes for indices never started', () => {
  const msg = reduce([messageStart(), textStart(0), textDelta(0, 'a'), textStart(2), textDelta(2, 'c')]);
  expect(msg.blocks).toHaveLength(3);
  expect(1 in msg.blocks).toBe(false);
  expect(textOf(msg)).toBe('ac');
});

const KNOWN_STOP_REASONS: KnownStopReason[] = [
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
];

test.each([...KNOWN_STOP_REASONS, 'some_future_reason'])('stop_reason %s is carried as-is', (reason) => {
  const msg = reduce(textStream(['hi'], reason));
  expect(msg.stopReason).toBe(reason);
  expect(msg.finished).toBe(true);
  expect(msg.ignoredEvents).toBe(0);
});

test('stop_sequence is recorded from message_delta', () => {
  const msg = reduce([
    messageStart(),
    { type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: '###' } },
  ]);
  expect([msg.stopReason, msg.stopSequence]).toEqual(['stop_sequence', '###']);
});

test('several message_delta events: usage fields overwritten (not added), last value wins per field, nulls keep', () => {
  const msg = reduce([
    messageStart({ usage: { input_tokens: 100, output_tokens: 1, cache_read_input_tokens: 7 } }),
    messageDelta(null, { output_tokens: 10 }),
    messageDelta('pause_turn', { output_tokens: 25, input_tokens: null }, { stop_details: { a: 1 } }),
    {
      type: 'message_delta',
      delta: { stop_reason: null },
      usage: { output_tokens: 30, server_tool_use: { web_search_requests: 1 } },
    },
  ]);
  expect(msg.usage).toEqual({
    input_tokens: 100,
    output_tokens: 30,
    cache_read_input_tokens: 7,
    server_tool_use: { web_search_requests: 1 },
  });
  expect(msg.stopReason).toBe('pause_turn');
  expect(msg.stopDetails).toEqual({ a: 1 });
});

test('an unknown event type is counted and otherwise ignored', () => {
  const base = reduce([messageStart(), textStart(0), textDelta(0, 'kept')]);
  const msg = reduce([{ type: 'content_block_flourish', index: 0, sparkle: true }], base);
  expect(msg.ignoredEvents).toBe(1);
  expect(msg.blocks).toBe(base.blocks);
  expect({ ...msg, ignoredEvents: 0 }).toEqual(base);
});

test('an unknown delta type is counted and ignored; the block is unchanged', () => {
  const base = reduce([messageStart(), textStart(0), textDelta(0, 'kept')]);
  const msg = reduce(
    [{ type: 'content_block_delta', index: 0, delta: { type: 'hologram_delta', x: 1 } }],
    base,
  );
  expect(msg.ignoredEvents).toBe(1);
  expect(msg.blocks[0]).toBe(base.blocks[0]);
});

test('an unknown block type is kept opaque and verbatim; its deltas are ignored; it stops normally', () => {
  const raw = {
    type: 'mcp_tool_result',
    tool_use_id: 't1',
    content: [{ type: 'text', text: 'r' }],
    is_error: false,
  };
  const msg = reduce([
    messageStart(),
    { type: 'content_block_start', index: 0, content_block: raw },
    { type: 'content_block_delta', index: 0, delta: { type: 'mcp_delta', x: 1 } },
    textDelta(0, 'not text'),
    blockStop(0),
  ]);
  expect(msg.blocks).toEqual([{ type: 'opaque', blockType: 'mcp_tool_result', raw }]);
  expect(msg.blocks[0]?.type === 'opaque' && msg.blocks[0].raw).toBe(raw);
  expect(msg.ignoredEvents).toBe(2);
  expect(msg.stoppedBlocks).toEqual([0]);
});

test('junk events (null, no delta, no block, bad index) are counted, never a crash', () => {
  const junk = [
    null,
    'ping',
    { type: 'content_block_delta', index: 0 },
    { type: 'content_block_start', index: 1 },
    { type: 'content_block_delta', index: -1, delta: { type: 'text_delta', text: 'x' } },
    { type: 'content_block_start', index: 1.5, content_block: { type: 'text', text: '' } },
    { type: 'content_block_start', index: 1e9, content_block: { type: 'text', text: '' } },
  ];
  const base = reduce([messageStart(), textStart(0), textDelta(0, 'kept')]);
  const msg = junk.reduce<AccMessage>((m, e) => accumulate(m, e as StreamEvent), base);
  expect(msg.ignoredEvents).toBe(junk.length);
  expect(msg.blocks).toBe(base.blocks);
  expect(msg.protocolErrors).toEqual([]);
});

test('an error event mid-stream keeps the content and records the provider error', () => {
  const msg = reduce([
    messageStart(),
    textStart(0),
    textDelta(0, 'partial '),
    textDelta(0, 'answer'),
    errorEvent(),
  ]);
  expect(msg.providerError).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
  expect(textOf(msg)).toBe('partial answer');
  expect(msg.finished).toBe(false);
});

test('an error event before message_start is recorded without a protocol error', () => {
  const msg = reduce([errorEvent('api_error', 'Internal server error')]);
  expect(msg.providerError).toEqual({ type: 'api_error', message: 'Internal server error' });
  expect(msg.protocolErrors).toEqual([]);
  expect(msg.started).toBe(false);
});

test('a delta or a stop for a block never started is a delta_before_start protocol error; content kept', () => {
  const msg = reduce([
    messageStart(),
    textStart(0),
    textDelta(0, 'kept'),
    textDelta(3, 'lost'),
    blockStop(4),
  ]);
  expect(msg.protocolErrors).toEqual([
    {
      type: 'delta_before_start',
      eventType: 'content_block_delta',
      index: 3,
      message: expect.stringContaining('block 3'),
    },
    {
      type: 'delta_before_start',
      eventType: 'content_block_stop',
      index: 4,
      message: expect.stringContaining('block 4'),
    },
  ]);
  expect(msg.blocks).toHaveLength(1);
  expect(textOf(msg)).toBe('kept');
});

test('a second message_start is a duplicate_message_start protocol error; the first message is kept', () => {
  const msg = reduce([
    messageStart({ id: 'msg_first', model: 'm1' }),
    textStart(0),
    textDelta(0, 'kept'),
    messageStart({ id: 'msg_second', model: 'm2' }),
    textDelta(0, ' and more'),
  ]);
  expect([msg.id, msg.model, textOf(msg)]).toEqual(['msg_first', 'm1', 'kept and more']);
  expect(msg.protocolErrors).toEqual([
    { type: 'duplicate_message_start', eventType: 'message_start', message: expect.any(String) },
  ]);
});

test('block and message events before message_start are event_before_message_start protocol errors', () => {
  const msg = reduce([
    textStart(0),
    textDelta(0, 'x'),
    blockStop(0),
    messageDelta('end_turn'),
    messageStop(),
  ]);
  expect(msg.protocolErrors.map((e) => [e.type, e.eventType])).toEqual([
    ['event_before_message_start', 'content_block_start'],
    ['event_before_message_start', 'content_block_delta'],
    ['event_before_message_start', 'content_block_stop'],
    ['event_before_message_start', 'message_delta'],
    ['event_before_message_start', 'message_stop'],
  ]);
  expect(msg.blocks).toEqual([]);
  expect([msg.started, msg.finished, msg.stopReason]).toEqual([false, false, null]);
});

test('a second content_block_start on the same index is a duplicate_block_start protocol error; the first block stays', () => {
  const msg = reduce([messageStart(), textStart(0), textDelta(0, 'kept'), toolStart(0), textDelta(0, '!')]);
  expect(msg.blocks).toEqual([{ type: 'text', text: 'kept!', citations: [] }]);
  expect(msg.protocolErrors).toEqual([
    {
      type: 'duplicate_block_start',
      eventType: 'content_block_start',
      index: 0,
      message: expect.stringContaining('Block 0'),
    },
  ]);
});

test('protocol errors from a stream that repeats its mistake are capped; the rest are counted', () => {
  const msg = reduce([messageStart(), ...Array.from({ length: 100 }, () => textDelta(9, 'x'))]);
  expect(msg.protocolErrors).toHaveLength(32);
  expect(msg.ignoredEvents).toBe(68);
});

test('the input message and events are never mutated: a whole recorded stream over frozen values', () => {
  const events = deepFreeze(fixtureEvents('stream-a-toolrefusal.sse'));
  let msg = deepFreeze(createMessage());
  for (const event of events) msg = deepFreeze(accumulate(msg, event));
  expect(textOf(msg)).toBe("Here's a summary of this year's solar eclipses and how");
});

test('a delta replaces only its block: other blocks, and the input message, keep their identity', () => {
  const before = reduce([
    messageStart(),
    textStart(0),
    textDelta(0, 'a'),
    blockStop(0),
    thinkingStart(1),
    thinkingDelta(1, 't'),
  ]);
  const snapshot = structuredClone(before);
  const after = accumulate(before, thinkingDelta(1, 'u'));
  expect(after).not.toBe(before);
  expect(after.blocks).not.toBe(before.blocks);
  expect(after.blocks[0]).toBe(before.blocks[0]);
  expect(after.blocks[1]).not.toBe(before.blocks[1]);
  expect(after.blocks[1]).toEqual({ type: 'thinking', thinking: 'tu', signature: '' });
  expect(before).toEqual(snapshot);
});

test('ping, an empty delta and a repeated stop return the very same message object', () => {
  const msg = reduce([
    messageStart(),
    textStart(0),
    textDelta(0, 'a'),
    toolStart(1),
    thinkingStart(2),
    textStart(3),
    blockStop(3),
  ]);
  expect(accumulate(msg, ping())).toBe(msg);
  expect(accumulate(msg, textDelta(0, ''))).toBe(msg);
  expect(accumulate(msg, jsonDelta(1, ''))).toBe(msg);
  expect(accumulate(msg, thinkingDelta(2, ''))).toBe(msg);
  expect(accumulate(msg, blockStop(3))).toBe(msg);
  expect(accumulate(msg, textDelta(0, 'b'))).not.toBe(msg);
});

test('a stop of a non-tool block records the index and keeps the blocks array', () => {
  const msg = reduce([messageStart(), textStart(0), textDelta(0, 'a')]);
  const stopped = accumulate(msg, blockStop(0));
  expect(stopped.stoppedBlocks).toEqual([0]);
  expect(stopped.blocks).toBe(msg.blocks);
});

test('message_start sets id, model and usage; message_stop sets finished', () => {
  const started = reduce([
    messageStart({ id: 'msg_x', model: 'claude-x', usage: { input_tokens: 5, output_tokens: 1 } }),
  ]);
  expect(started).toEqual({
    ...createMessage(),
    id: 'msg_x',
    model: 'claude-x',
    usage: { input_tokens: 5, output_tokens: 1 },
    started: true,
  });
  expect(accumulate(started, messageStop()).finished).toBe(true);
});
