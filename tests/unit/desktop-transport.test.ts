// The IPC stream transport: numbered batches with acks and a bounded window on the main side
// (PortSink), the shared page-side state machine (createPortClient), and the two joined over a
// real MessageChannel with the real relay engine against the simulated provider.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { PortSink, type BatchPort } from '../../src/main/desktop/port-sink';
import { startSimulatedProvider, type SimLogEntry } from '../../src/main/providers/simulated';
import type { RelaySink } from '../../src/main/relay/delivery';
import { createPortClient, type BatchMessage, type PageMessage } from '../../src/shared/port-protocol';
import type { RelayEvent } from '../../src/shared/protocol';
import { openTurnChannel, pageEnd, pageMessages } from '../support/ipc-ports';
import { deltaText, terminalEvent } from '../support/relay-events';
import { runTurnAgainst, turnText } from '../support/relay';

class RecordingPort implements BatchPort {
  readonly posted: BatchMessage[] = [];
  closes = 0;
  postMessage(message: BatchMessage): void {
    this.posted.push(structuredClone(message));
  }
  close(): void {
    this.closes += 1;
  }
}

const delta = (text: string, t = 0): RelayEvent => ({
  type: 'provider',
  turnId: 'turn-1',
  t,
  step: 0,
  event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
});

const terminal = terminalEvent();

/** Lets every pending promise reaction (the sink's end-of-tick post among them) run. */
const settleMicrotasks = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const texts = (batch: BatchMessage | undefined) =>
  batch?.events.map((e) =>
    e.type === 'provider' && e.event.type === 'content_block_delta' && e.event.delta.type === 'text_delta'
      ? e.event.delta.text
      : e.type,
  );

afterEach(() => {
  vi.useRealTimers();
});

describe('PortSink (main side)', () => {
  test('the first event is posted in the tick it was written, with no timer involved', async () => {
    vi.useFakeTimers();
    const port = new RecordingPort();
    const sink = new PortSink(port);
    expect(sink.write(delta('Hello'))).toBe(true);
    await Promise.resolve();
    expect(port.posted).toEqual([{ type: 'batch', seq: 1, events: [delta('Hello')] }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('events written in one tick travel as one batch; each later tick gets the next sequence number', async () => {
    const port = new RecordingPort();
    const sink = new PortSink(port);
    sink.write(delta('a'));
    sink.write(delta('b'));
    sink.write(delta('c'));
    await settleMicrotasks();
    sink.write(delta('d'));
    await settleMicrotasks();
    sink.write(terminal);
    await settleMicrotasks();
    expect(port.posted.map((b) => b.seq)).toEqual([1, 2, 3]);
    expect(port.posted.map(texts)).toEqual([['a', 'b', 'c'], ['d'], ['terminal']]);
  });

  test('a full window refuses writes, holds them as one batch, and an ack sends it', async () => {
    const port = new RecordingPort();
    const sink = new PortSink(port, { window: 4 });
    for (const text of ['1', '2', '3', '4']) {
      expect(sink.write(delta(text))).toBe(true);
      await settleMicrotasks();
    }
    expect(port.posted).toHaveLength(4);
    // No ack yet: the window is full.
    expect(sink.write(delta('5'))).toBe(false);
    expect(sink.write(delta('6'))).toBe(false);
    await settleMicrotasks();
    expect(port.posted).toHaveLength(4);

    sink.ack(1);
    expect(port.posted).toHaveLength(5);
    expect(port.posted[4]).toMatchObject({ seq: 5 });
    expect(texts(port.posted[4])).toEqual(['5', '6']);
    expect(sink.stats).toMatchObject({ batches: 5, acked: 1, peakUnacked: 4 });
  });

  test('drain stays pending while the window is full and resolves when an ack opens it', async () => {
    const port = new RecordingPort();
    const sink = new PortSink(port, { window: 2 });
    sink.write(delta('1'));
    await settleMicrotasks();
    sink.write(delta('2'));
    await settleMicrotasks();
    expect(sink.write(delta('3'))).toBe(false);
    let drained = false;
    void sink.drain().then(() => (drained = true));
    await settleMicrotasks();
    expect(drained).toBe(false);

    // Acking batch 1 sends the held batch 3, which fills the window again.
    sink.ack(1);
    await settleMicrotasks();
    expect(port.posted.map((b) => b.seq)).toEqual([1, 2, 3]);
    expect(drained).toBe(false);

    sink.ack(3);
    await settleMicrotasks();
    expect(drained).toBe(true);
    expect(sink.write(delta('4'))).toBe(true);
  });

  test('acks for batches never sent, or already acknowledged, change nothing', async () => {
    const port = new RecordingPort();
    const sink = new PortSink(port, { window: 1 });
    sink.write(delta('1'));
    await settleMicrotasks();
    sink.ack(7);
    sink.ack(0);
    sink.ack(Number.NaN);
    expect(sink.write(delta('2'))).toBe(false);
    sink.ack(1);
    sink.ack(1);
    expect(port.posted.map((b) => b.seq)).toEqual([1, 2]);
    expect(sink.stats.acked).toBe(1);
  });

  test('finish closes the port only once the page has acknowledged everything', async () => {
    const port = new RecordingPort();
    const sink = new PortSink(port);
    sink.write(delta('x'));
    sink.write(terminal);
    sink.finish();
    await settleMicrotasks();
    expect(port.posted).toHaveLength(1);
    expect(port.closes).toBe(0);
    sink.ack(1);
    expect(port.closes).toBe(1);
  });

  test('when the port closes, writes are dropped, drain resolves, and onDisconnect fires once', async () => {
    const port = new RecordingPort();
    let disconnects = 0;
    const sink = new PortSink(port, { window: 1, onDisconnect: () => (disconnects += 1) });
    sink.write(delta('1'));
    await settleMicrotasks();
    expect(sink.write(delta('2'))).toBe(false);
    const drain = sink.drain();
    sink.disconnected();
    sink.disconnected();
    await drain;
    expect(sink.write(delta('3'))).toBe(true);
    await settleMicrotasks();
    expect(port.posted).toHaveLength(1);
    expect(disconnects).toBe(1);
  });
});

describe('port client (page side, shared with the preload)', () => {
  const recordingPage = () => {
    const sent: PageMessage[] = [];
    let closes = 0;
    const received: RelayEvent[] = [];
    const client = createPortClient({ postMessage: (m) => sent.push(m), close: () => (closes += 1) }, (e) =>
      received.push(e),
    );
    return { client, sent, received, closes: () => closes };
  };
  const start: RelayEvent = {
    type: 'turn_start',
    turnId: 'turn-1',
    conversationId: 'c1',
    t: 0,
    provider: 'simulated',
    model: 'sim-text',
  };

  test('delivers each batch in order, acks it, and ends with the terminal', async () => {
    const page = recordingPage();
    page.client.receive({ type: 'batch', seq: 1, events: [start, delta('Hi')] });
    page.client.receive({ type: 'batch', seq: 2, events: [delta(' there'), terminal] });
    expect(page.received).toEqual([start, delta('Hi'), delta(' there'), terminal]);
    expect(page.sent).toEqual([
      { type: 'ack', seq: 1 },
      { type: 'ack', seq: 2 },
    ]);
    expect(await page.client.turnId).toBe('turn-1');
    expect(await page.client.done).toEqual(terminal);
    expect(page.closes()).toBe(1);
    // Anything after the end is ignored.
    page.client.receive({ type: 'batch', seq: 3, events: [delta('late')] });
    expect(page.received).toHaveLength(4);
  });

  test('a batch out of sequence ends the turn once, with a protocol error', async () => {
    const page = recordingPage();
    page.client.receive({ type: 'batch', seq: 1, events: [start] });
    page.client.receive({ type: 'batch', seq: 3, events: [delta('skipped ahead')] });
    const done = await page.client.done;
    expect(done).toMatchObject({
      type: 'terminal',
      turnId: 'turn-1',
      outcome: 'error',
      error: { type: 'protocol' },
    });
    expect(page.received.filter((e) => e.type === 'terminal')).toHaveLength(1);
  });

  test('a port that closes before the terminal ends the turn once: error, or aborted after Stop', async () => {
    const cut = recordingPage();
    cut.client.receive({ type: 'batch', seq: 1, events: [start, delta('part')] });
    cut.client.disconnected();
    cut.client.disconnected();
    expect(await cut.client.done).toMatchObject({ outcome: 'error', error: { type: 'network' } });
    expect(cut.received.filter((e) => e.type === 'terminal')).toHaveLength(1);
    expect((await cut.client.done).error?.message).toContain('What arrived so far is kept.');

    // Cut before any of the answer: nothing is claimed kept.
    const early = recordingPage();
    early.client.receive({ type: 'batch', seq: 1, events: [start] });
    early.client.disconnected();
    const earlyEnd = await early.client.done;
    expect(earlyEnd.error?.message).toContain('before any of the answer arrived');
    expect(earlyEnd.error?.message).not.toContain('kept');

    const stopped = recordingPage();
    stopped.client.abort();
    stopped.client.abort();
    expect(stopped.sent).toEqual([{ type: 'abort' }]);
    stopped.client.disconnected();
    expect(await stopped.client.done).toMatchObject({ outcome: 'aborted', error: null });
  });

  test('Stop asks the main process once and the turn ends with the terminal it sends back', async () => {
    const page = recordingPage();
    page.client.receive({ type: 'batch', seq: 1, events: [start] });
    page.client.abort();
    const aborted = terminalEvent({ outcome: 'aborted', stopReason: null });
    page.client.receive({ type: 'batch', seq: 2, events: [aborted] });
    expect(page.sent).toEqual([{ type: 'ack', seq: 1 }, { type: 'abort' }, { type: 'ack', seq: 2 }]);
    expect(await page.client.done).toEqual(aborted);
  });

  test('a handler that throws does not stall the stream; its errors are reported apart', async () => {
    const sent: PageMessage[] = [];
    const errors: unknown[] = [];
    const client = createPortClient(
      { postMessage: (m) => sent.push(m), close: () => {} },
      () => {
        throw new Error('render failed');
      },
      (err) => errors.push(err),
    );
    client.receive({ type: 'batch', seq: 1, events: [start, terminal] });
    expect(sent).toEqual([{ type: 'ack', seq: 1 }]);
    expect(await client.done).toEqual(terminal);
    expect(errors).toHaveLength(2);
  });
});

/** Records what the engine handed the sink, so the page's copy can be compared with it. */
const tee = (inner: RelaySink, seen: RelayEvent[]): RelaySink => ({
  write: (event) => {
    seen.push(event);
    return inner.write(event);
  },
  drain: () => inner.drain(),
});

describe('over a MessageChannel, with the real relay and simulated provider', () => {
  test('a page that stops acknowledging stops the provider; acking again completes the exact text', async () => {
    const TOKENS = 400_000;
    let bytesWritten = 0;
    const simLog: SimLogEntry[] = [];
    const sim = await startSimulatedProvider({
      onWrite: (w) => (bytesWritten += w.bytes),
      log: (e) => simLog.push(e),
    });
    const { main, pagePort } = openTurnChannel();
    const sink = new PortSink(main, { window: 4 });
    main.onMessage((data) => {
      const m = data as PageMessage;
      if (m.type === 'ack') sink.ack(m.seq);
    });
    const page = pageEnd(pagePort);
    page.holdAcks();
    const handed: RelayEvent[] = [];
    try {
      const run = runTurnAgainst(sim.url, {
        sink: tee(sink, handed),
        params: { model: 'sim-text', max_tokens: 1_000_000 },
        headers: {
          'x-sluice-sim-ttft-ms': '0',
          'x-sluice-sim-tpot-ms': '0',
          'x-sluice-sim-tokens': String(TOKENS),
          // Emoji, ZWJ sequences, RTL and combining marks: the exact text survives batching too.
          'x-sluice-sim-text': 'hostile',
        },
      });

      // Wait until the provider has stopped writing: the same count on three looks in a row.
      let same = 0;
      let last = -1;
      while (same < 3) {
        await new Promise((r) => setTimeout(r, 150));
        same = bytesWritten === last && bytesWritten > 0 ? same + 1 : 0;
        last = bytesWritten;
      }
      expect(sink.stats.batches).toBe(4);
      expect(page.heldAcks).toBe(4);
      expect(simLog).toEqual([]);
      const stalledAt = bytesWritten;

      page.releaseAcks();
      const { result } = await run;
      await page.client.done;

      const [entry] = simLog;
      expect(entry).toMatchObject({ reason: 'complete', tokensGenerated: TOKENS });
      // While the page was not acking, the provider wrote only a small part of the stream.
      expect(stalledAt).toBeLessThan(entry!.bytesWritten / 4);
      expect(result.outcome).toBe('complete');
      expect(result.stopReason).toBe('end_turn');
      expect(deltaText(page.events)).toBe(turnText(result));
      expect(pageMessages(page.events)).toEqual(result.message.steps.map((s) => s.message));
      // Same events, same order, as the engine handed them over.
      expect(page.events.length).toBe(handed.length);
      expect(JSON.stringify(page.events)).toBe(JSON.stringify(handed));
    } finally {
      pagePort.close();
      await sim.close();
    }
  }, 60_000);
});
