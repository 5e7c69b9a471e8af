// SseSink's writes per tick: the first message of a tick is on the socket before write() returns,
// the rest of that tick's messages travel as one HTTP chunk on the next tick, messages sooner than
// the write spacing in a dense stream wait for it, joined, the terminal takes everything waiting with it at once, and
// every message arrives once, in order. Within a batch, consecutive deltas of one block join into
// one message while the reader keeps up.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { JOIN_AHEAD_EVENTS, SseSink, type SsePacing } from '../../../src/main/server/sse';
import type { RelayEvent } from '../../../src/shared/protocol';
import { localTerminal } from '../../../src/shared/terminal';
import { applyRelayEvent, createTurn, snapshotOf } from '../../../src/shared/turn';
import { fixtureEvents } from '../../support/sse';

/** A text delta of block `index`: the tests of chunking give each its own block, so none join. */
const delta = (text: string, index = 0, t = 0): RelayEvent => ({
  type: 'provider',
  turnId: 't',
  t,
  step: 0,
  event: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } },
});
const terminal = (): RelayEvent => localTerminal({ turnId: 't', t: 0, outcome: 'complete', error: null });
const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));
const later = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

type Probe = { corked: number; unsent: number };

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/**
 * Serves one SSE response driven by `script`, read on a raw socket: the body's HTTP chunks, as
 * the chunked encoding frames them (one per res.write), and the messages they carry.
 */
async function serveOne(script: (sink: SseSink, res: ServerResponse) => Promise<void>, pacing?: SsePacing) {
  const server = createServer((_req, res) => {
    const sink = new SseSink(res, 60_000, pacing);
    sink.open();
    void script(sink, res).then(() => sink.end());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () =>
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
    );
    socket.on('data', (b: Buffer) => {
      parts.push(b);
      // The last chunk of a chunked body (the response keeps its connection alive).
      if (Buffer.concat(parts).toString('latin1').endsWith('\r\n0\r\n\r\n')) {
        socket.destroy();
        resolve(Buffer.concat(parts));
      }
    });
    socket.on('end', () => resolve(Buffer.concat(parts)));
    socket.on('error', reject);
  });
  const text = raw.toString('utf8');
  let at = text.indexOf('\r\n\r\n') + 4;
  const chunks: string[] = [];
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    const size = Number.parseInt(text.slice(at, eol), 16);
    if (!(size > 0)) break;
    chunks.push(text.slice(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  const ids = (chunk: string) => [...chunk.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  return { chunks: chunks.map(ids), messages: chunks.join('').split('\n\n').filter(Boolean) };
}

const probe = (res: ServerResponse): Probe => ({
  corked: res.socket?.writableCorked ?? -1,
  unsent: res.socket?.writableLength ?? -1,
});

test('a lone event is on the socket before write() returns, not at the next tick', async () => {
  const probes: Probe[] = [];
  const got = await serveOne(async (sink, res) => {
    for (let i = 0; i < 3; i++) {
      expect(sink.write(delta(`w${i}`))).toBe(true);
      probes.push(probe(res));
      await later();
    }
    sink.write(terminal());
  });
  // Plain res.write leaves the socket corked, holding the bytes, until the microtasks drain.
  expect(probes).toEqual([
    { corked: 0, unsent: 0 },
    { corked: 0, unsent: 0 },
    { corked: 0, unsent: 0 },
  ]);
  expect(got.chunks).toEqual([[1], [2], [3], [4]]);
  expect(got.messages.map((m) => /^data: (.*)$/m.exec(m)?.[1])).toEqual([
    ...['w0', 'w1', 'w2'].map((text) => JSON.stringify(delta(text))),
    JSON.stringify(terminal()),
  ]);
});

test('a burst in one tick goes as the first event, then one chunk with the rest, in order', async () => {
  const probes: Probe[] = [];
  const got = await serveOne(async (sink, res) => {
    for (let i = 0; i < 50; i++) sink.write(delta(`a${i}`, i));
    probes.push(probe(res));
    await nextTick();
    // The batch went out on the tick after the burst.
    probes.push(probe(res));
    await later();
    for (let i = 0; i < 3; i++) sink.write(delta(`b${i}`, i));
    await later();
    sink.write(terminal());
  });
  expect(probes).toEqual([
    { corked: 0, unsent: 0 },
    { corked: 0, unsent: 0 },
  ]);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  expect(got.chunks).toEqual([[1], range(2, 50), [51], [52, 53], [54]]);
  const texts = got.messages
    .slice(0, -1)
    .map((m) => JSON.parse(/^data: (.*)$/m.exec(m)?.[1] ?? '') as RelayEvent);
  expect(texts).toEqual([
    ...Array.from({ length: 50 }, (_, i) => delta(`a${i}`, i)),
    ...Array.from({ length: 3 }, (_, i) => delta(`b${i}`, i)),
  ]);
});

test('the terminal takes what waits in its tick with it at once', async () => {
  const probes: Probe[] = [];
  const got = await serveOne(async (sink, res) => {
    sink.write(delta('x'));
    sink.write(delta('y'));
    sink.write(terminal());
    probes.push(probe(res));
    // Work after the terminal (the final save) holds nothing back.
    const until = performance.now() + 30;
    while (performance.now() < until) {
      // busy, as a synchronous save would be
    }
    await later();
  });
  expect(probes).toEqual([{ corked: 0, unsent: 0 }]);
  expect(got.chunks).toEqual([[1], [2, 3]]);
  expect(got.messages.at(-1)).toContain('event: terminal');
});

test('end() sends what waits first; a batch for a client that left is dropped', async () => {
  const got = await serveOne(async (sink) => {
    sink.write(delta('p'));
    sink.write(delta('q'));
    sink.end();
    // Accepted and dropped, as every write after the end is.
    expect(sink.write(delta('r'))).toBe(true);
    await later();
  });
  expect(got.chunks).toEqual([[1], [2]]);
});

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a stream with gaps between its events is written as they come, never held', async () => {
  const got = await serveOne(
    async (sink) => {
      for (let i = 0; i < 12; i++) {
        sink.write(delta(`g${i}`, i));
        // Gaps a little over the dense gap: no run ever starts.
        await wait(8);
      }
      sink.write(terminal());
    },
    { writeSpacingMs: 100, denseGapMs: 5 },
  );
  expect(got.chunks).toEqual(Array.from({ length: 13 }, (_, i) => [i + 1]));
});

test('in a dense run, events sooner than the spacing after a write wait for it, joined', async () => {
  const probes: Probe[] = [];
  const got = await serveOne(
    async (sink, res) => {
      // Eight close events, each in its own tick, make the run; they go as they come.
      for (let i = 0; i < 8; i++) {
        sink.write(delta(`d${i}`, i));
        await macrotask();
      }
      for (let i = 8; i < 12; i++) {
        sink.write(delta(`d${i}`, i));
        probes.push(probe(res));
        await macrotask();
      }
      // The batch went at 100 ms after the last write; this is past a spacing after it.
      await wait(250);
      sink.write(delta('d12', 12));
      probes.push(probe(res));
      await later();
      sink.write(terminal());
    },
    { writeSpacingMs: 100, denseGapMs: 60_000 },
  );
  expect(got.chunks).toEqual([[1], [2], [3], [4], [5], [6], [7], [8], [9, 10, 11, 12], [13], [14]]);
  expect(probes.at(-1)).toEqual({ corked: 0, unsent: 0 });
  expect(got.messages.slice(0, -1).map((m) => /^data: (.*)$/m.exec(m)?.[1])).toEqual(
    Array.from({ length: 13 }, (_, i) => JSON.stringify(delta(`d${i}`, i))),
  );
});

test('a held batch goes at once when it grows past 64 KB, long before the spacing', async () => {
  const big = 'x'.repeat(4096);
  const got = await serveOne(
    async (sink) => {
      for (let i = 0; i < 8; i++) {
        sink.write(delta(`run${i}`, i));
        await macrotask();
      }
      for (let i = 0; i < 20; i++) {
        sink.write(delta(`${i}${big}`, i));
        await macrotask();
      }
      sink.write(terminal());
    },
    { writeSpacingMs: 60_000, denseGapMs: 60_000 },
  );
  // Messages 9..24 pass 64 KB together; the rest go with the terminal.
  expect(got.chunks.map((c) => c.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 16, 5]);
  expect(got.chunks.flat()).toEqual(Array.from({ length: 29 }, (_, i) => i + 1));
});

/** The messages' ids and parsed events. */
const parsed = (messages: string[]) =>
  messages.map((m) => ({
    id: Number(/^id: (\d+)$/m.exec(m)?.[1]),
    event: JSON.parse(/^data: (.*)$/m.exec(m)?.[1] ?? 'null') as RelayEvent,
  }));
const textOf = (e: RelayEvent) =>
  e.type === 'provider' && e.event.type === 'content_block_delta' && e.event.delta.type === 'text_delta'
    ? e.event.delta.text
    : null;

test('a batch of one block’s deltas goes as one message: the text joined, the last id, the first time', async () => {
  let stats: SseSink['stats'] | null = null;
  const got = await serveOne(async (sink) => {
    stats = sink.stats;
    // A reader that acknowledges (here: nothing read yet); deltas join only for one that does.
    sink.acknowledged(0);
    for (let i = 0; i < 50; i++) sink.write(delta(`a${i} `, 0, 100 + i));
    await later();
    sink.write(terminal());
  });
  expect(got.chunks).toEqual([[1], [50], [51]]);
  const [first, rest] = parsed(got.messages);
  expect(first?.event).toEqual(delta('a0 ', 0, 100));
  expect(rest?.id).toBe(50);
  expect(rest?.event).toEqual(delta(Array.from({ length: 49 }, (_, i) => `a${i + 1} `).join(''), 0, 101));
  expect(stats).toMatchObject({ events: 51, joined: 48 });
});

test('only consecutive deltas of one block join, and the turn reducer builds the same turn from them', async () => {
  // A recorded tool call (text, then tool input) as step 0 and a recorded answer as step 1.
  const events: RelayEvent[] = [
    ...fixtureEvents('tool_use_response.sse').map((event, i) => ({ event, step: 0, i })),
    ...fixtureEvents('basic_response.sse').map((event, i) => ({ event, step: 1, i: 1000 + i })),
  ].map(({ event, step, i }) => ({ type: 'provider', turnId: 't', t: i, step, event }));
  const got = await serveOne(async (sink) => {
    sink.acknowledged(0);
    for (const e of events) sink.write(e);
    await later();
    sink.write(terminal());
  });
  const received = parsed(got.messages).slice(0, -1);
  const fold = (list: RelayEvent[]) =>
    snapshotOf(list.reduce((turn, e) => applyRelayEvent(turn, e, e.t), createTurn({ startedAt: 0 })));
  expect(fold(received.map((m) => m.event))).toEqual(fold(events));
  expect(fold(events).steps.map((s) => s.message.blocks.length)).toEqual([2, 1]);
  // Fewer messages than events, yet every message is a whole event, in order, ids rising.
  expect(received.length).toBeLessThan(events.length);
  const ids = received.map((m) => m.id);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(ids.at(-1)).toBe(events.length);
  // A joined message holds deltas of one block: its neighbours in the stream are other events.
  const kinds = received.map(({ event: e }) =>
    e.type === 'provider' && e.event.type === 'content_block_delta'
      ? `${e.step}:${e.event.index}:${e.event.delta.type}`
      : 'other',
  );
  for (let i = 1; i < kinds.length; i++) if (kinds[i] !== 'other') expect(kinds[i]).not.toBe(kinds[i - 1]);
});

test('deltas join only for a reader that acknowledges, and only JOIN_AHEAD_EVENTS past what it acknowledged', async () => {
  const n = JOIN_AHEAD_EVENTS + 100;
  const got = await serveOne(async (sink) => {
    // Never acknowledged (curl, the CLI): one message per event.
    for (let i = 0; i < 10; i++) sink.write(delta('a'));
    await later();
    // It reads (event 10): the deltas up to JOIN_AHEAD_EVENTS past that join, the rest go alone.
    sink.acknowledged(10);
    for (let i = 0; i < n; i++) sink.write(delta('x'));
    await later();
    // It caught up: the next burst joins again (its first message goes at once, alone).
    sink.acknowledged(10 + n);
    for (let i = 0; i < 10; i++) sink.write(delta('y'));
    await later();
    sink.write(terminal());
  });
  const received = parsed(got.messages);
  const texts = received.map((m) => textOf(m.event));
  const last = 10 + JOIN_AHEAD_EVENTS;
  expect(texts.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 'a'));
  expect(received.slice(10, 13).map((m) => m.id)).toEqual([11, last, last + 1]);
  expect(texts.slice(10, 12)).toEqual(['x', 'x'.repeat(last - 11)]);
  const alone = n - (last - 10);
  expect(texts.slice(12, 12 + alone)).toEqual(Array.from({ length: alone }, () => 'x'));
  expect(texts.slice(12 + alone)).toEqual(['y', 'y'.repeat(9), null]);
  expect(texts.join('')).toBe(`${'a'.repeat(10)}${'x'.repeat(n)}${'y'.repeat(10)}`);
});
