// The test helpers other tests build on: if they were wrong, those tests would prove nothing.
import { expect, test } from 'vitest';
import {
  RECORDED_FIXTURES,
  bytewise,
  concatBytes,
  createPrng,
  encodeSseEvents,
  everySplit,
  fixtureBytes,
  fixtureEvents,
  parseSseEvents,
  parseSseFrames,
  randomChunks,
  splitAt,
  toCr,
  toCrlf,
  toLf,
  utf8,
} from '../../support/sse';
import { textStream } from '../../support/stream-events';

test('every recorded fixture parses into events that start with message_start and end with message_stop', () => {
  for (const name of RECORDED_FIXTURES) {
    const events = fixtureEvents(name);
    expect([name, events[0]?.type, events.at(-1)?.type]).toEqual([name, 'message_start', 'message_stop']);
  }
});

test('seeded random chunks concatenate back to the input, the same for the same seed, different for another', () => {
  const bytes = fixtureBytes('tool_use_response.sse');
  const a = randomChunks(bytes, createPrng(42), { maxChunk: 16 });
  expect(concatBytes(a)).toEqual(bytes);
  expect(a.every((c) => c.byteLength >= 1 && c.byteLength <= 16)).toBe(true);
  expect(randomChunks(bytes, createPrng(42), { maxChunk: 16 }).map((c) => c.byteLength)).toEqual(
    a.map((c) => c.byteLength),
  );
  expect(randomChunks(bytes, createPrng(43), { maxChunk: 16 }).map((c) => c.byteLength)).not.toEqual(
    a.map((c) => c.byteLength),
  );
});

test('splitAt, everySplit and bytewise cover the input without empty chunks', () => {
  expect(splitAt('abcdef', [4, 2, 2, 0, 9])).toEqual(['ab', 'cd', 'ef']);
  expect([...everySplit('abc')]).toEqual([
    ['a', 'bc'],
    ['ab', 'c'],
  ]);
  expect(bytewise(utf8('é'))).toEqual([new Uint8Array([0xc3]), new Uint8Array([0xa9])]);
});

test('line-ending conversion round-trips and leaves no other ending behind', () => {
  const lf = 'a\nb\r\nc\rd\n\n';
  expect(toLf(lf)).toBe('a\nb\nc\nd\n\n');
  expect(toCrlf(lf)).toBe('a\r\nb\r\nc\r\nd\r\n\r\n');
  expect(toCr(lf)).toBe('a\rb\rc\rd\r\r');
});

test('parseSseEvents decodes a UTF-8 character split across byte chunks', () => {
  const body = encodeSseEvents(textStream(['café 😀']));
  const bytes = utf8(body);
  const emojiAt = utf8(body.slice(0, body.indexOf('😀'))).byteLength;
  const eAt = utf8(body.slice(0, body.indexOf('é'))).byteLength;
  // Cuts inside the 2-byte é and twice inside the 4-byte emoji.
  const events = parseSseEvents(splitAt(bytes, [eAt + 1, emojiAt + 1, emojiAt + 3]));
  expect(events).toEqual(textStream(['café 😀']));
});

test('parseSseEvents: bare CR endings, comments, data without a space and over several lines', () => {
  const body = ': keep-alive\r\revent: ping\rdata:{"type":\rdata: "ping"}\r\r';
  expect(parseSseEvents(body)).toEqual([{ type: 'ping' }]);
});

test('an event left without its blank line at the end is dropped, unless flushAtEnd', () => {
  const body =
    'event: ping\ndata: {"type":"ping"}\n\nevent: error\ndata: {"type":"error","error":{"type":"x","message":"y"}}';
  expect(parseSseFrames(body)).toHaveLength(1);
  expect(parseSseEvents(body, { flushAtEnd: true }).map((e) => e.type)).toEqual(['ping', 'error']);
});
