// The per-turn MessagePort protocol between the main process and the page.
//   main → page:  { type: 'batch', seq, events }  seq counts 1, 2, 3… with no gaps; events in order.
//   page → main:  { type: 'ack', seq }   every batch up to seq was delivered (cumulative);
//                 { type: 'abort' }      Stop: the main process aborts the upstream request and still
//                                        sends the turn's terminal event before closing.
//                 { type: 'tool_decision', toolUseId, decision }   the person's answer to an MCP
//                                        call that waits for approval (once, always, deny).
// The main side keeps at most a small window of unacknowledged batches (main/desktop/port-sink.ts); the
// page side is the state machine below, written against a structural port so the preload and Node
// tests run the same code. Every turn ends exactly once: with the terminal the main process sent,
// or, if the port closes first, with one made here.
import { KEPT, keepsContent, localTerminal } from './terminal';
import type { Outcome, RelayError, RelayEvent, TerminalEvent, ToolDecision, TurnHandle } from './protocol';

export const DEFAULT_ACK_WINDOW = 4;

export type BatchMessage = { type: 'batch'; seq: number; events: RelayEvent[] };
export type AckMessage = { type: 'ack'; seq: number };
export type AbortMessage = { type: 'abort' };
export type ToolDecisionMessage = { type: 'tool_decision'; toolUseId: string; decision: ToolDecision };
export type PageMessage = AckMessage | AbortMessage | ToolDecisionMessage;

/** Messages from the page are untrusted input to the main process: anything else is null. */
export function parsePageMessage(data: unknown): PageMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (m['type'] === 'abort') return { type: 'abort' };
  if (m['type'] === 'ack' && Number.isSafeInteger(m['seq'])) return { type: 'ack', seq: m['seq'] as number };
  // Spelled out rather than imported from protocol.ts, which would bring zod into the preload.
  const decision = (['once', 'always', 'deny'] as const).find((d) => d === m['decision']);
  if (
    m['type'] === 'tool_decision' &&
    typeof m['toolUseId'] === 'string' &&
    m['toolUseId'].length <= 200 &&
    decision
  )
    return { type: 'tool_decision', toolUseId: m['toolUseId'], decision };
  return null;
}

function parseBatch(data: unknown): BatchMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  return m['type'] === 'batch' && Number.isSafeInteger(m['seq']) && Array.isArray(m['events'])
    ? (data as BatchMessage)
    : null;
}

/** Derives a TurnHandle's turnId and done from the event stream. */
export type TurnTracker = {
  turnId: Promise<string>;
  done: Promise<TerminalEvent>;
  observe(event: RelayEvent): void;
  readonly ended: boolean;
  /** The turn id once turn_start arrived, and the last main-process time seen. */
  readonly knownTurnId: string | null;
  readonly lastT: number;
  /** Some content of the answer arrived (a turn ended here keeps it). */
  readonly kept: boolean;
};

export function createTurnTracker(): TurnTracker {
  let resolveTurnId!: (id: string) => void;
  let resolveDone!: (event: TerminalEvent) => void;
  const turnId = new Promise<string>((r) => (resolveTurnId = r));
  const done = new Promise<TerminalEvent>((r) => (resolveDone = r));
  let ended = false;
  let knownTurnId: string | null = null;
  let lastT = 0;
  let kept = false;
  return {
    turnId,
    done,
    get ended() {
      return ended;
    },
    get knownTurnId() {
      return knownTurnId;
    },
    get lastT() {
      return lastT;
    },
    get kept() {
      return kept;
    },
    observe(event) {
      if (ended) return;
      lastT = event.t;
      kept ||= event.type === 'snapshot' ? event.turn.steps.length > 0 : keepsContent(event);
      // A re-attached turn may begin with its snapshot instead of its turn_start.
      if (event.type === 'turn_start' || event.type === 'snapshot') {
        knownTurnId = event.turnId;
        resolveTurnId(event.turnId);
      } else if (event.type === 'terminal') {
        ended = true;
        // A turn refused before it began has no turn_start; its terminal names the turn (or '').
        resolveTurnId(event.turnId);
        resolveDone(event);
      }
    },
  };
}

/** The page's end of a turn's port, structurally: a DOM MessagePort or a test double fits. */
export interface PagePort {
  postMessage(message: PageMessage): void;
  close(): void;
}

export type PortClient = TurnHandle & {
  /** Feed every message that arrives on the port. */
  receive(data: unknown): void;
  /** The port closed (the main process went away, or closed it early). */
  disconnected(): void;
  readonly ended: boolean;
};

const cutOff = (kept: boolean) =>
  kept
    ? `The connection to the main process closed before the answer finished. ${KEPT} Send again to retry.`
    : 'The connection to the main process closed before any of the answer arrived. Send again to retry.';

/** By default a throwing handler's error is rethrown on its own, so it shows as uncaught. */
const rethrowLater = (err: unknown) =>
  queueMicrotask(() => {
    throw err;
  });

export function createPortClient(
  port: PagePort,
  onEvent: (event: RelayEvent) => void,
  onHandlerError: (err: unknown) => void = rethrowLater,
): PortClient {
  const tracker = createTurnTracker();
  let expectedSeq = 1;
  let aborting = false;

  const deliver = (event: RelayEvent) => {
    try {
      onEvent(event);
    } catch (err) {
      // A throwing UI handler must not stall the stream (no ack would be sent); report it apart.
      onHandlerError(err);
    }
    tracker.observe(event);
  };
  const endLocally = (outcome: Outcome, error: RelayError | null) => {
    deliver(localTerminal({ turnId: tracker.knownTurnId ?? '', t: tracker.lastT, outcome, error }));
    port.close();
  };

  return {
    turnId: tracker.turnId,
    done: tracker.done,
    get ended() {
      return tracker.ended;
    },
    receive(data) {
      if (tracker.ended) return;
      const batch = parseBatch(data);
      if (!batch) return;
      if (batch.seq !== expectedSeq) {
        const message = `Relay events arrived out of order (batch ${batch.seq}, expected ${expectedSeq}).${tracker.kept ? ` ${KEPT}` : ''} Send again to retry.`;
        endLocally('error', { type: 'protocol', message, retryable: true });
        return;
      }
      expectedSeq += 1;
      for (const event of batch.events) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- deliver() may end it (TS#9998)
        if (tracker.ended) break;
        deliver(event);
      }
      port.postMessage({ type: 'ack', seq: batch.seq });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- deliver() may end it (TS#9998)
      if (tracker.ended) port.close();
    },
    disconnected() {
      if (tracker.ended) return;
      if (aborting) endLocally('aborted', null);
      else endLocally('error', { type: 'network', message: cutOff(tracker.kept), retryable: true });
    },
    abort() {
      if (tracker.ended || aborting) return;
      aborting = true;
      port.postMessage({ type: 'abort' });
    },
    decideTool(toolUseId, decision) {
      if (!tracker.ended) port.postMessage({ type: 'tool_decision', toolUseId, decision });
      return Promise.resolve();
    },
  };
}

export { localTerminal };
