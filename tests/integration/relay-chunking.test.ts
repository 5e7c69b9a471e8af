// Property: however the network splits a stream, the relay builds the identical message.
// Each recorded stream (and LF/CRLF/CR and multi-byte variants) is served over a real loopback
// socket in hundreds of random chunkings, down to single bytes, through the real SDK and engine.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AccMessage } from '../../src/shared/protocol';
import { startRawUpstream, type RawUpstream } from '../support/raw-upstream';
import { runTurnAgainst } from '../support/relay';
import {
  RECORDED_FIXTURES,
  bytewise,
  createPrng,
  encodeSseEvents,
  fixtureText,
  parseSseEvents,
  randomChunks,
  toCr,
  toCrlf,
  utf8,
} from '../support/sse';
import { reduceFinal, textStream } from '../support/stream-events';

let upstream: RawUpstream;
/** What the next request is answered with; set by each case before its turn. */
let nextChunks: Uint8Array[] = [];

beforeAll(async () => {
  upstream = await startRawUpstream(() => ({ chunks: nextChunks }));
});
afterAll(() => upstream.close());

async function relayed(chunks: Uint8Array[]): Promise<AccMessage> {
  nextChunks = chunks;
  const { result } = await runTurnAgainst(upstream.url, { maxToolRounds: 1, autoRetry: false });
  const message = result.message.steps[0]?.message;
  if (!message) throw new Error(`no message (outcome ${result.outcome}: ${result.error?.message})`);
  return message;
}

const CHUNKINGS_PER_STREAM = 40;

const MULTIBYTE = encodeSseEvents(
  textStream(['Grüße ', '“quoted” ', 'naïve café ', '日本語 ', 'emoji 🧪🚀 ', 'done.']),
);

const streams: [string, string][] = [
  ...RECORDED_FIXTURES.map((name): [string, string] => [name, fixtureText(name)]),
  ['basic_response.sse as CRLF', toCrlf(fixtureText('basic_response.sse'))],
  ['tool_use_response.sse as bare CR', toCr(fixtureText('tool_use_response.sse'))],
  ['multi-byte UTF-8 text', MULTIBYTE],
];

test.each(streams)('%s: every random chunking relays the identical message', async (_name, body) => {
  const bytes = utf8(body);
  const expected = reduceFinal(parseSseEvents(body));
  const random = createPrng(bytes.byteLength);
  for (let i = 0; i < CHUNKINGS_PER_STREAM; i++) {
    const chunks = randomChunks(bytes, random, { maxChunk: 1 + (i % 8) * 16 });
    expect(await relayed(chunks), `chunking #${i}`).toEqual(expected);
  }
});

test('an event split at every byte relays the identical message', async () => {
  const body = fixtureText('tool_use_response.sse');
  expect(await relayed(bytewise(utf8(body)))).toEqual(reduceFinal(parseSseEvents(body)));
});

test('a multi-byte character split between its bytes arrives whole', async () => {
  const bytes = utf8(MULTIBYTE);
  const emoji = bytes.indexOf(0xf0); // first byte of 🧪
  const chunks = [bytes.slice(0, emoji + 1), bytes.slice(emoji + 1, emoji + 3), bytes.slice(emoji + 3)];
  const message = await relayed(chunks);
  expect(message.blocks[0]).toMatchObject({
    type: 'text',
    text: 'Grüße “quoted” naïve café 日本語 emoji 🧪🚀 done.',
  });
});
