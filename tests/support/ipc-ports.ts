// Both ends of a turn's port on plain Node: a worker_threads MessageChannel stands in for
// MessageChannelMain (main side) and the page's DOM MessagePort (page side, running the shared
// port client exactly as the preload does). The page end can hold back its acks, as a busy or
// frozen renderer would.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createPortClient, type PageMessage, type PortClient } from '../../src/shared/port-protocol';
import type { AccMessage, RelayEvent } from '../../src/shared/protocol';
import { applyRelayEvent, createTurn, settleSteps } from '../../src/shared/turn';
import type { TurnPort } from '../../src/main/desktop/turns';

/** Node's MessagePort delivers the message itself; MessagePortMain delivers { data }. Same contract. */
export function nodeTurnPort(port: MessagePort): TurnPort {
  return {
    postMessage: (message) => port.postMessage(message),
    close: () => port.close(),
    onMessage: (listener) => port.on('message', listener),
    onClose: (listener) => port.on('close', listener),
  };
}

export type PageEnd = {
  client: PortClient;
  events: RelayEvent[];
  /** Acks written by the client but not yet sent (while held). */
  heldAcks: number;
  holdAcks(): void;
  releaseAcks(): void;
  /** The page goes away: its port closes. */
  close(): void;
  /** Resolves once `predicate` holds for the events received so far. */
  until(predicate: (events: RelayEvent[]) => boolean): Promise<void>;
};

export function openTurnChannel(): { main: TurnPort; mainPort: MessagePort; pagePort: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  return { main: nodeTurnPort(port1), mainPort: port1, pagePort: port2 };
}

export function pageEnd(port: MessagePort, onEvent: (event: RelayEvent) => void = () => {}): PageEnd {
  const events: RelayEvent[] = [];
  const waiters: { predicate: (e: RelayEvent[]) => boolean; resolve: () => void }[] = [];
  let holding = false;
  let held: PageMessage[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.predicate(events)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const client = createPortClient(
    {
      postMessage: (message) => {
        if (holding && message.type === 'ack') held.push(message);
        else port.postMessage(message);
      },
      close: () => port.close(),
    },
    (event) => {
      events.push(event);
      onEvent(event);
      check();
    },
  );
  port.on('message', (data) => client.receive(data));
  port.on('close', () => client.disconnected());
  return {
    client,
    events,
    get heldAcks() {
      return held.length;
    },
    holdAcks: () => {
      holding = true;
    },
    releaseAcks: () => {
      holding = false;
      const acks = held;
      held = [];
      for (const ack of acks) port.postMessage(ack);
    },
    close: () => port.close(),
    until: (predicate) =>
      new Promise<void>((resolve) => {
        if (predicate(events)) resolve();
        else waiters.push({ predicate, resolve });
      }),
  };
}

/** What the page builds from the events with the shared turn reducer: one message per step. */
export function pageMessages(events: RelayEvent[]): AccMessage[] {
  let turn = createTurn({ startedAt: 0 });
  for (const e of events) turn = applyRelayEvent(turn, e, e.t);
  return settleSteps(turn.steps).map((s) => s.message);
}
