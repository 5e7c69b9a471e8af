// Tool input: fragments appended as text, JSON.parse exactly once at the block's stop, and every
// way a tool input can go wrong becoming a typed failure with the raw text kept.
import { afterEach, expect, test, vi } from 'vitest';
import {
  countToolInputParses,
  finalizeMessage,
  isToolRunnable,
  toolUses,
} from '../../../src/shared/accumulate';
import type { AccMessage, StreamEvent } from '../../../src/shared/protocol';
import { everySplit } from '../../support/sse';
import {
  blockStop,
  jsonDelta,
  messageDelta,
  messageStart,
  messageStop,
  reduce,
  textDelta,
  textStart,
  toolStart,
  toolStream,
} from '../../support/stream-events';

afterEach(() => {
  vi.restoreAllMocks();
});

const onlyTool = (msg: AccMessage) => {
  const tools = toolUses(msg);
  expect(tools).toHaveLength(1);
  return tools[0]!;
};

// Escapes of every kind (\\, \", \n, \u00e9, a surrogate pair), and numbers with sign, fraction and exponent.
const TRICKY_JSON =
  '{"path":"C:\\\\dir\\\\\\"q\\"","line":"a\\nb\\tc","accent":"caf\\u00e9","emoji":"\\ud83d\\ude00 ok","n":-12.5e+3,"big":1234567890123,"list":[0,2.25,-0.5E-2],"ok":true,"none":null}';
const TRICKY_VALUE = {
  path: 'C:\\dir\\"q"',
  line: 'a\nb\tc',
  accent: 'café',
  emoji: '😀 ok',
  n: -12500,
  big: 1234567890123,
  list: [0, 2.25, -0.005],
  ok: true,
  none: null,
};

test('tool JSON split inside an escape or a number, at every point, parses once at stop to the same value', () => {
  let splits = 0;
  for (const [head, tail] of everySplit(TRICKY_JSON)) {
    const tool = onlyTool(reduce(toolStream([head, tail])));
    expect({ at: head.length, input: tool.input, parseAttempts: tool.parseAttempts }).toEqual({
      at: head.length,
      input: { status: 'parsed', value: TRICKY_VALUE },
      parseAttempts: 1,
    });
    splits += 1;
  }
  expect(splits).toBe(TRICKY_JSON.length - 1);
});

test('tool JSON one character per fragment parses once, and not before content_block_stop', () => {
  const parse = vi.spyOn(JSON, 'parse');
  const events = toolStream([...TRICKY_JSON]);
  const stopAt = events.findIndex((e) => e.type === 'content_block_stop');
  const beforeStop = reduce(events.slice(0, stopAt));
  expect(parse).not.toHaveBeenCalled();
  expect(onlyTool(beforeStop).input).toEqual({ status: 'streaming' });
  expect(onlyTool(beforeStop).inputJson).toBe(TRICKY_JSON);
  const msg = reduce(events);
  expect(parse).toHaveBeenCalledTimes(1);
  expect(onlyTool(msg).input).toEqual({ status: 'parsed', value: TRICKY_VALUE });
});

test('a first partial_json of "" changes nothing and the rest parses once', () => {
  const afterEmpty = reduce([messageStart(), toolStart(0), jsonDelta(0, '')]);
  const withEmpty = reduce(toolStream(['', '{"a":', '1}']));
  expect(onlyTool(withEmpty)).toMatchObject({
    inputJson: '{"a":1}',
    input: { status: 'parsed', value: { a: 1 } },
    parseAttempts: 1,
  });
  expect(onlyTool(afterEmpty).inputJson).toBe('');
});

test('a tool block with no deltas is parsed as {} without calling JSON.parse', () => {
  const parse = vi.spyOn(JSON, 'parse');
  const tool = onlyTool(reduce(toolStream([])));
  expect(tool).toMatchObject({ inputJson: '', input: { status: 'parsed', value: {} }, parseAttempts: 0 });
  expect(parse).not.toHaveBeenCalled();
});

test('a tool block whose only deltas are empty or blank is parsed as {}', () => {
  expect(onlyTool(reduce(toolStream(['', '', '  ']))).input).toEqual({ status: 'parsed', value: {} });
});

test('a non-empty input in content_block_start with no deltas becomes the input, unparsed', () => {
  const parse = vi.spyOn(JSON, 'parse');
  const input = { expression: '2+2' };
  const tool = onlyTool(reduce(toolStream([], { input })));
  expect(tool.input).toEqual({ status: 'parsed', value: { expression: '2+2' } });
  expect(tool.input.status === 'parsed' && tool.input.value).toBe(input);
  expect(tool.parseAttempts).toBe(0);
  expect(parse).not.toHaveBeenCalled();
});

test('streamed JSON wins over a non-empty input in content_block_start', () => {
  const tool = onlyTool(reduce(toolStream(['{"expression":"3*3"}'], { input: { expression: 'stale' } })));
  expect(tool.input).toEqual({ status: 'parsed', value: { expression: '3*3' } });
  expect(tool.parseAttempts).toBe(1);
});

test('invalid JSON fails as invalid_json after one parse, keeping the raw string', () => {
  const tool = onlyTool(reduce(toolStream(['{"a": 1,', ' oops}'], { name: 'calculator' })));
  expect(tool.inputJson).toBe('{"a": 1, oops}');
  expect(tool.parseAttempts).toBe(1);
  expect(tool.input).toEqual({
    status: 'failed',
    error: { type: 'invalid_json', message: expect.stringContaining('calculator') },
  });
  expect(isToolRunnable(tool)).toBe(false);
});

test.each([
  ['an array', '[1,2]'],
  ['a number', '42'],
  ['a string', '"text"'],
  ['null', 'null'],
])('JSON that is %s fails as not_an_object after one parse', (_what, json) => {
  const tool = onlyTool(reduce(toolStream([json])));
  expect(tool.parseAttempts).toBe(1);
  expect(tool.inputJson).toBe(json);
  expect(tool.input).toMatchObject({ status: 'failed', error: { type: 'not_an_object' } });
});

test('two tool_use blocks, their deltas interleaved, each parse once at their own stop', () => {
  const parse = vi.spyOn(JSON, 'parse');
  const events: StreamEvent[] = [
    messageStart(),
    textStart(0),
    textDelta(0, 'Two calls.'),
    blockStop(0),
    toolStart(1, { id: 'toolu_a', name: 'calculator' }),
    toolStart(2, { id: 'toolu_b', name: 'current_time' }),
    jsonDelta(1, '{"expression":'),
    jsonDelta(2, '{"timezone":"Europe/'),
    jsonDelta(1, '"17.5*4"}'),
    blockStop(1),
    jsonDelta(2, 'Paris"}'),
    blockStop(2),
    messageDelta('tool_use', { output_tokens: 40 }),
    messageStop(),
  ];
  const afterFirstStop = reduce(events.slice(0, 10));
  expect(parse).toHaveBeenCalledTimes(1);
  expect(toolUses(afterFirstStop).map((t) => t.input.status)).toEqual(['parsed', 'streaming']);
  const msg = reduce(events);
  expect(toolUses(msg).map((t) => [t.id, t.name, t.input, t.parseAttempts])).toEqual([
    ['toolu_a', 'calculator', { status: 'parsed', value: { expression: '17.5*4' } }, 1],
    ['toolu_b', 'current_time', { status: 'parsed', value: { timezone: 'Europe/Paris' } }, 1],
  ]);
  expect(countToolInputParses(msg)).toBe(2);
  expect(toolUses(msg).every(isToolRunnable)).toBe(true);
});

test('a second content_block_stop on a tool block does not parse again', () => {
  const events = toolStream(['{"a":1}']);
  const msg = reduce([...events.slice(0, -2), blockStop(0), ...events.slice(-2)]);
  expect(onlyTool(msg).parseAttempts).toBe(1);
  expect(msg.stoppedBlocks).toEqual([0]);
});

test('an input_json_delta after the block stopped is ignored, keeping the parsed input and raw text', () => {
  const events = toolStream(['{"a":1}']);
  const msg = reduce([...events.slice(0, -2), jsonDelta(0, ',"b":2}'), ...events.slice(-2)]);
  expect(onlyTool(msg)).toMatchObject({ inputJson: '{"a":1}', input: { status: 'parsed', value: { a: 1 } } });
  expect(msg.ignoredEvents).toBe(1);
});

test('finalize fails a tool block that never stopped as incomplete without parsing; stopped ones are untouched', () => {
  const msg = reduce([
    messageStart(),
    toolStart(0, { id: 'done' }),
    jsonDelta(0, '{"a":1}'),
    blockStop(0),
    toolStart(1, { id: 'cut' }),
    jsonDelta(1, '{"a":'),
    messageDelta('max_tokens'),
    messageStop(),
  ]);
  const parse = vi.spyOn(JSON, 'parse');
  const final = finalizeMessage(msg);
  expect(parse).not.toHaveBeenCalled();
  expect(final.blocks[0]).toBe(msg.blocks[0]);
  expect(toolUses(final).map((t) => [t.id, t.input.status, t.parseAttempts, t.inputJson])).toEqual([
    ['done', 'parsed', 1, '{"a":1}'],
    ['cut', 'failed', 0, '{"a":'],
  ]);
  expect(toolUses(final)[1]?.input).toMatchObject({ status: 'failed', error: { type: 'incomplete' } });
  expect(toolUses(final).map(isToolRunnable)).toEqual([true, false]);
});

test('finalize is a no-op (same object) when no tool block is left streaming, and idempotent', () => {
  const msg = reduce(toolStream(['{}']));
  expect(finalizeMessage(msg)).toBe(msg);
  const cut = finalizeMessage(reduce([messageStart(), toolStart(0), jsonDelta(0, '{')]));
  expect(finalizeMessage(cut)).toBe(cut);
});

test('a server_tool_use parses like tool_use but is never runnable here', () => {
  const tool = onlyTool(
    reduce(toolStream(['{"query":"q"}'], { type: 'server_tool_use', name: 'web_search' })),
  );
  expect(tool).toMatchObject({
    type: 'server_tool_use',
    input: { status: 'parsed', value: { query: 'q' } },
    parseAttempts: 1,
  });
  expect(isToolRunnable(tool)).toBe(false);
});

test('a text_delta sent to a tool block is ignored and counted, not appended to the JSON', () => {
  const msg = reduce([
    messageStart(),
    toolStart(0),
    jsonDelta(0, '{"a":1}'),
    textDelta(0, 'junk'),
    blockStop(0),
  ]);
  expect(onlyTool(msg)).toMatchObject({ inputJson: '{"a":1}', input: { status: 'parsed', value: { a: 1 } } });
  expect(msg.ignoredEvents).toBe(1);
});
