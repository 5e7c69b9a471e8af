// The simulated provider's bytes and lifecycle: SSE framing, headers, replay byte for byte, a client
// that leaves (the provider stops), a client that reads slowly (the provider waits), a stall.
import Anthropic from '@anthropic-ai/sdk';
import { createParser } from 'eventsource-parser';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  startSimulatedProvider,
  type SimulatedProvider,
  type SimWrite,
} from '../../src/main/providers/simulated';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/anthropic-recorded/', import.meta.url));

let sim: SimulatedProvider;
const writes: SimWrite[] = [];
const writesOf = (requestId: string) => writes.filter((w) => w.requestId === requestId);

beforeAll(async () => {
  sim = await startSimulatedProvider({
    defaults: { ttftMs: 0, tpotMs: 0, thinkingMs: 0 },
    replayDir: FIXTURES,
    onWrite: (w) => writes.push(w),
  });
});
afterAll(() => sim.close());

const messagesBody = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  max_tokens: 4096,
  stream: true,
  messages: [{ role: 'user', content: 'Tell me about sluices' }],
  ...extra,
});

/** A raw POST: the response is handed over unread, so a test can pause it or read it byte for byte. */
function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  path = '/v1/messages',
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    });
    req.on('response', resolve).on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** A streaming SDK request the test can abort, with the simulator's id for it. */
async function abortableStream(model: string, maxTokens: number, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const { data, request_id } = await new Anthropic({
    apiKey: 'sim',
    baseURL: sim.url,
    maxRetries: 0,
  }).messages
    .create(
      { model, max_tokens: maxTokens, messages: [{ role: 'user', content: 'hi' }], stream: true },
      { headers, signal: controller.signal },
    )
    .withResponse();
  return { events: data, requestId: request_id ?? '', abort: () => controller.abort() };
}

async function readAll(res: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseSse(body: string): { event: string | undefined; data: string }[] {
  const events: { event: string | undefined; data: string }[] = [];
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event, data: e.data }) });
  parser.feed(body);
  return events;
}

const requestIdOf = (res: http.IncomingMessage) => String(res.headers['request-id']);

describe('framing and headers', () => {
  test('events are framed like the real API, with one ping after the first content_block_start', async () => {
    const res = await post(sim.url, messagesBody('sim-text'));
    const body = (await readAll(res)).toString('utf8');
    const blocks = body.split('\n\n');
    expect(blocks.pop()).toBe('');
    for (const block of blocks) expect(block).toMatch(/^event: [a-z_]+\ndata: \{.*\}$/);
    expect(blocks.slice(0, 3).map((b) => b.split('\n')[0])).toEqual([
      'event: message_start',
      'event: content_block_start',
      'event: ping',
    ]);
    expect(blocks[2]).toBe('event: ping\ndata: {"type": "ping"}');
    expect(blocks.filter((b) => b.startsWith('event: ping'))).toHaveLength(1);
    for (const block of blocks) {
      const [eventLine, dataLine] = block.split('\n');
      expect((JSON.parse(dataLine?.slice(6) ?? '') as { type: string }).type).toBe(eventLine?.slice(7));
    }
  });

  test('the log and onWrite account for every byte and event written', async () => {
    const res = await post(sim.url, messagesBody('sim-text'));
    const body = await readAll(res);
    const entry = await sim.waitForEnd(requestIdOf(res));
    expect(entry.bytesWritten).toBe(body.length);
    const own = writesOf(entry.requestId);
    expect(own.map((w) => w.eventIndex)).toEqual(own.map((_, i) => i));
    expect(own.map((w) => w.eventType)).toEqual(parseSse(body.toString('utf8')).map((e) => e.event));
    expect(own.reduce((n, w) => n + w.bytes, 0)).toBe(body.length);
  });

  test('stream headers: request-id, event-stream, no-cache; X-Accel-Buffering only when asked', async () => {
    const res = await post(sim.url, messagesBody('sim-text'));
    await readAll(res);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['request-id']).toMatch(/^req_/);
    expect(res.headers['x-accel-buffering']).toBeUndefined();
    const asked = await post(sim.url, messagesBody('sim-text'), { 'x-sluice-sim-accel-buffering': 'no' });
    await readAll(asked);
    expect(asked.headers['x-accel-buffering']).toBe('no');
  });

  test('accelBufferingNo sends the header by default; a request can omit it', async () => {
    const own = await startSimulatedProvider({ defaults: { ttftMs: 0, tpotMs: 0 }, accelBufferingNo: true });
    try {
      const res = await post(own.url, messagesBody('sim-text', { max_tokens: 2 }));
      await readAll(res);
      expect(res.headers['x-accel-buffering']).toBe('no');
      const omitted = await post(own.url, messagesBody('sim-text', { max_tokens: 2 }), {
        'x-sluice-sim-accel-buffering': 'omit',
      });
      await readAll(omitted);
      expect(omitted.headers['x-accel-buffering']).toBeUndefined();
    } finally {
      await own.close();
    }
  });

  test('the same request twice gives byte-identical streams', async () => {
    const body = messagesBody('sim-tool', {
      messages: [{ role: 'user', content: 'What is 3 * 14 and the time?' }],
    });
    const a = await readAll(await post(sim.url, body));
    const b = await readAll(await post(sim.url, body));
    expect(a.length).toBeGreaterThan(1000);
    expect(b.equals(a)).toBe(true);
  });

  test('a bad body is a 400 invalid_request_error; another path a 404; both logged as faults', async () => {
    const notJson = await post(sim.url, 'not json');
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse((await readAll(notJson)).toString())).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('JSON') },
    });
    expect(await sim.waitForEnd(requestIdOf(notJson))).toMatchObject({ reason: 'fault', tokensGenerated: 0 });

    const noMax = await post(sim.url, { model: 'sim-text', messages: [{ role: 'user', content: 'hi' }] });
    expect(noMax.statusCode).toBe(400);
    expect((await readAll(noMax)).toString()).toContain('max_tokens');

    // Off the Messages path, the anthropic-version header says which API's error shape to answer in.
    const wrongPath = await post(
      sim.url,
      messagesBody('sim-text'),
      { 'anthropic-version': '2023-06-01' },
      '/v1/models',
    );
    expect(wrongPath.statusCode).toBe(404);
    expect(JSON.parse((await readAll(wrongPath)).toString())).toMatchObject({
      error: { type: 'not_found_error' },
    });
    expect(await sim.waitForEnd(requestIdOf(wrongPath))).toMatchObject({ reason: 'fault' });
  });

  test('the query string is ignored', async () => {
    const res = await post(
      sim.url,
      messagesBody('sim-text', { max_tokens: 3 }),
      {},
      '/v1/messages?beta=true',
    );
    expect(res.statusCode).toBe(200);
    await readAll(res);
  });
});

describe('sim-replay', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.sse'));

  test.each(files)('%s is replayed byte for byte', async (file) => {
    const recorded = readFileSync(`${FIXTURES}${file}`);
    const res = await post(sim.url, messagesBody('sim-replay'), { 'x-sluice-sim-replay': file });
    expect((await readAll(res)).equals(recorded)).toBe(true);
    const deltas = parseSse(recorded.toString('utf8')).filter((e) =>
      /"type":"(text|thinking|input_json)_delta"/.test(e.data),
    );
    expect(await sim.waitForEnd(requestIdOf(res))).toMatchObject({
      scenario: 'sim-replay',
      reason: 'complete',
      tokensGenerated: deltas.length,
      bytesWritten: recorded.length,
    });
  });

  test('the SDK reads the replay as the same events as the file', async () => {
    const recorded = parseSse(readFileSync(`${FIXTURES}basic_response.sse`, 'utf8'))
      .filter((e) => e.event !== 'ping')
      .map((e) => JSON.parse(e.data) as unknown);
    const stream = await new Anthropic({ apiKey: 'sim', baseURL: sim.url, maxRetries: 0 }).messages.create(
      { model: 'sim-replay', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], stream: true },
      { headers: { 'x-sluice-sim-replay': 'basic_response.sse', 'x-sluice-sim-tpot-ms': '1' } },
    );
    const events: unknown[] = [];
    for await (const e of stream) events.push(e);
    expect(events).toEqual(recorded);
  });

  test.each([
    ['no file name', {}],
    ['a path outside the directory', { 'x-sluice-sim-replay': '../README.md' }],
    ['a missing file', { 'x-sluice-sim-replay': 'nope.sse' }],
  ])('%s is a 400', async (_, headers: Record<string, string>) => {
    const res = await post(sim.url, messagesBody('sim-replay'), headers);
    expect(res.statusCode).toBe(400);
    expect((await readAll(res)).toString()).toContain('sim-replay');
  });
});

describe('a client that goes away', () => {
  test('abort while the provider waits for the next token: it stops at once, having written what the client saw', async () => {
    // A TPOT this long outlasts the test's timeout unless the abort cuts the wait short.
    const { events, requestId, abort } = await abortableStream('sim-text', 4096, {
      'x-sluice-sim-tpot-ms': '60000',
    });
    let seen = 0;
    for await (const e of events) {
      if (e.type === 'content_block_delta') seen += 1;
      if (seen === 1) abort();
    }
    expect(await sim.waitForEnd(requestId)).toMatchObject({
      reason: 'client-closed',
      tokensGenerated: 1,
    });
  });

  test('abort mid-firehose: the provider has written at least what the client saw, far less than asked, then nothing', async () => {
    const { events, requestId, abort } = await abortableStream('sim-text', 1_000_000, {
      'x-sluice-sim-tpot-ms': '1',
      'x-sluice-sim-tokens': '100000',
    });
    let seen = 0;
    for await (const e of events) {
      if (e.type === 'content_block_delta') seen += 1;
      if (seen === 20) abort();
    }
    const entry = await sim.waitForEnd(requestId);
    expect(entry.reason).toBe('client-closed');
    expect(entry.tokensGenerated).toBeGreaterThanOrEqual(20);
    expect(entry.tokensGenerated).toBeLessThan(100_000);
    const written = writesOf(entry.requestId).length;
    await sleep(50);
    expect(writesOf(entry.requestId)).toHaveLength(written);
  });

  test('sim-stall: a few deltas, then silence until the client leaves', async () => {
    const { events, requestId, abort } = await abortableStream('sim-stall', 4096);
    const types: string[] = [];
    for await (const e of events) {
      types.push(e.type);
      if (types.length === 6) {
        await sleep(50);
        // message_start, content_block_start, ping, four deltas: nothing more while the client waited.
        expect(writesOf(requestId)).toHaveLength(7);
        abort();
      }
    }
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array<string>(4).fill('content_block_delta'),
    ]);
    expect(await sim.waitForEnd(requestId)).toMatchObject({ reason: 'client-closed', tokensGenerated: 4 });
  });

  test('x-sluice-sim-ping-ms fills the silence with pings, during TTFT and in a stall', async () => {
    const res = await post(sim.url, messagesBody('sim-stall'), {
      'x-sluice-sim-ping-ms': '2',
      'x-sluice-sim-ttft-ms': '30',
    });
    const requestId = requestIdOf(res);
    let body = '';
    res.setEncoding('utf8');
    for await (const chunk of res) {
      body += chunk as string;
      const events = parseSse(body).map((e) => e.event);
      const lastDelta = events.lastIndexOf('content_block_delta');
      if (lastDelta > 0 && events.length - lastDelta > 3) break;
    }
    res.destroy();
    const events = parseSse(body).map((e) => e.event);
    const start = events.indexOf('message_start');
    expect(start).toBeGreaterThan(0);
    expect(events.slice(0, start).every((e) => e === 'ping')).toBe(true);
    expect(events.slice(events.lastIndexOf('content_block_delta') + 1).every((e) => e === 'ping')).toBe(true);
    expect(await sim.waitForEnd(requestId)).toMatchObject({ reason: 'client-closed', tokensGenerated: 4 });
  });

  test('close() ends open streams and logs them before it resolves', async () => {
    const own = await startSimulatedProvider({ defaults: { ttftMs: 0, tpotMs: 0 } });
    const res = await post(own.url, messagesBody('sim-stall'));
    res.resume();
    res.on('error', () => {});
    await own.close();
    expect(own.entries).toEqual([
      expect.objectContaining({ requestId: requestIdOf(res), tokensGenerated: 4 }),
    ]);
  });
});

test('a reader that stops reading stops the provider far below what it asked for', async () => {
  const tokens = 2_000_000;
  const res = await post(sim.url, messagesBody('sim-text', { max_tokens: tokens }), {
    'x-sluice-sim-tokens': String(tokens),
  });
  res.pause();
  const requestId = requestIdOf(res);
  const written = () => writesOf(requestId).reduce((n, w) => n + w.bytes, 0);
  let before = -1;
  while (written() !== before) {
    before = written();
    await sleep(100);
  }
  // Each delta event is over 80 bytes, so the whole answer is over 160 MB.
  expect(before).toBeGreaterThan(0);
  expect(before).toBeLessThan(32 * 1024 * 1024);
  let read = 0;
  res.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > before + 16 * 1024 * 1024) res.destroy();
  });
  res.on('error', () => {});
  res.resume();
  const entry = await sim.waitForEnd(requestId);
  expect(entry.reason).toBe('client-closed');
  expect(entry.bytesWritten).toBeGreaterThanOrEqual(read);
  expect(entry.tokensGenerated).toBeLessThan(tokens);
});
