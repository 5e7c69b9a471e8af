// The desktop face on plain Node: the engine writes to the main process's PortSink, batches cross
// a worker_threads MessageChannel, and the page end runs the shared port client and applies each
// batch with the shared turn reducer, as the renderer's store does. The main-side wiring of
// acks and Stop is PortTurns' (src/main/desktop/turns.ts), minus ChatService: this measures transport.
import { MessageChannel } from 'node:worker_threads';
import { PortSink, type PortSinkStats } from '../../src/main/desktop/port-sink';
import type { TurnResult } from '../../src/main/relay/engine';
import { createPortClient, parsePageMessage, type PageMessage } from '../../src/shared/port-protocol';
import type { RelayEvent } from '../../src/shared/protocol';
import { applyRelayEvent, createTurn, type TurnState } from '../../src/shared/turn';
import { runBenchTurn, type BenchTurn } from './engine-face';

/** What the page holds: the turn as the shared turn reducer builds it, as the renderer's store does. */
export type PageTurn = TurnState;

export type TimedEvent = { event: RelayEvent; at: number };

/** Applies one batch, in order, with the shared reducer. */
function applyBatch(turn: PageTurn, batch: readonly TimedEvent[]): PageTurn {
  let next = turn;
  for (const { event, at } of batch) next = applyRelayEvent(next, event, at);
  return next;
}

export type IpcTurnOptions = Omit<BenchTurn, 'sink' | 'signal'> & {
  /** Called after each batch has been applied to the page's live turn. */
  onApplied?: (batch: readonly TimedEvent[], page: PageTurn) => void;
  /**
   * The page's acks go through here (a slow page holds them back). `data` is the batch message
   * the ack is for, as it arrived.
   */
  sendAck?: (send: () => void, data: unknown) => void;
};

export type IpcTurn = {
  /** Stop, as the page sends it. */
  abort(): void;
  /** The turn as the page holds it now. */
  readonly live: PageTurn;
  sinkStats(): PortSinkStats;
  /** The engine's result and the page's final live turn. */
  done: Promise<{ result: TurnResult; live: PageTurn }>;
};

export function startIpcTurn(opts: IpcTurnOptions): IpcTurn {
  const { port1: main, port2: page } = new MessageChannel();
  const controller = new AbortController();

  const sink = new PortSink(
    { postMessage: (m) => main.postMessage(m), close: () => main.close() },
    { onDisconnect: () => controller.abort('client-closed') },
  );
  main.on('message', (data: unknown) => {
    const message = parsePageMessage(data);
    if (message?.type === 'ack') sink.ack(message.seq);
    else if (message?.type === 'abort') controller.abort('user');
  });
  main.on('close', () => sink.disconnected());

  let live: PageTurn = createTurn({ startedAt: performance.now() });
  let arrived: TimedEvent[] = [];
  let current: unknown = null;
  let pageClosed!: () => void;
  const closed = new Promise<void>((resolve) => (pageClosed = resolve));
  const post = (m: PageMessage) => {
    if (m.type === 'ack' && opts.sendAck) {
      const data = current;
      opts.sendAck(() => page.postMessage(m), data);
    } else page.postMessage(m);
  };
  const client = createPortClient({ postMessage: post, close: () => page.close() }, (event) =>
    arrived.push({ event, at: performance.now() }),
  );
  const apply = () => {
    if (arrived.length === 0) return;
    const batch = arrived;
    arrived = [];
    live = applyBatch(live, batch);
    opts.onApplied?.(batch, live);
  };
  page.on('message', (data: unknown) => {
    current = data;
    client.receive(data);
    apply();
  });
  page.on('close', () => {
    client.disconnected();
    apply();
    pageClosed();
  });

  const done = (async () => {
    try {
      const result = await runBenchTurn({ ...opts, sink, signal: controller.signal });
      await client.done;
      return { result, live };
    } finally {
      sink.finish();
      // The page end closes itself once it has the terminal; both ends are closed after this.
      main.close();
      await closed;
    }
  })();

  return {
    abort: () => client.abort(),
    get live() {
      return live;
    },
    sinkStats: () => sink.stats,
    done,
  };
}

/** The text of every text block the page holds. */
export const liveText = (live: PageTurn): string =>
  live.steps
    .flatMap((s) => s.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');
