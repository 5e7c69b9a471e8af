// Where live turns' feeds (relay/replay.ts) are kept while their turns run, so a page or window
// can attach, detach and re-attach. A turn whose subscriber is gone keeps running for the grace
// period; if nobody re-attaches by then it is stopped through the one cancel path
// (ChatService.abort, reason `client-closed`) and its partial is stored as interrupted. A feed
// stays a little after its turn ends, so a reconnect that comes just after still gets the end.
import type { AssistantMessage } from '../../shared/protocol';
import type { AbortReason } from '../relay/registry';
import { parseEventId, TurnFeed, type AttachResult, type Subscriber } from '../relay/replay';
import { TurnRequestError } from './errors';

type Held = {
  feed: TurnFeed;
  conversationId: string;
  graceMs: number;
  grace: ReturnType<typeof setTimeout> | null;
  /** Resolves once the turn has ended and its final message is saved. */
  ended: Promise<void>;
  settle: () => void;
  done: boolean;
};

export type LiveTurnView = { turnId: string; conversationId: string };

/** A stopped answer records why when it was not the person's Stop (its page gone, quitting). */
export function withAbortReason(message: AssistantMessage, signal: AbortSignal): AssistantMessage {
  const reason: unknown = signal.reason;
  if (message.outcome !== 'aborted' || (reason !== 'client-closed' && reason !== 'shutdown')) return message;
  return { ...message, abortReason: reason };
}

export class TurnHub {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly abort: (turnId: string, reason: AbortReason) => boolean,
    /** How long an ended turn's feed stays for a late reconnect. */
    private readonly lingerMs = 10_000,
  ) {}

  open(
    turnId: string,
    conversationId: string,
    opts: { bufferBytes: number; graceMs: number },
    sink: Subscriber | null,
  ): TurnFeed {
    const feed = new TurnFeed(turnId, opts.bufferBytes, sink);
    let settle!: () => void;
    const ended = new Promise<void>((resolve) => (settle = resolve));
    this.held.set(turnId, {
      feed,
      conversationId,
      graceMs: opts.graceMs,
      grace: null,
      ended,
      settle,
      done: false,
    });
    return feed;
  }

  /** The turn ended and is saved: nothing more will be written; the feed lingers for late reconnects. */
  close(turnId: string): void {
    const held = this.held.get(turnId);
    if (!held) return;
    held.done = true;
    if (held.grace) clearTimeout(held.grace);
    held.grace = null;
    held.settle();
    setTimeout(() => {
      if (this.held.get(turnId) === held) this.held.delete(turnId);
    }, this.lingerMs).unref();
  }

  feedOf(turnId: string): TurnFeed | null {
    return this.held.get(turnId)?.feed ?? null;
  }

  /** The turns still running, for a page that reloaded. */
  list(): LiveTurnView[] {
    return [...this.held.entries()]
      .filter(([, h]) => !h.done && !h.feed.terminalWritten)
      .map(([turnId, h]) => ({ turnId, conversationId: h.conversationId }));
  }

  /**
   * `subscriber`'s connection closed. The turn goes on; unless someone re-attaches within the
   * grace period it is stopped (`client-closed`). With no grace, it is stopped at once.
   */
  detach(turnId: string, subscriber: Subscriber): void {
    const held = this.held.get(turnId);
    if (!held || held.done || !held.feed.detach(subscriber)) return;
    if (held.grace) clearTimeout(held.grace);
    held.grace = null;
    if (held.graceMs === 0) {
      this.abort(turnId, 'client-closed');
      return;
    }
    held.grace = setTimeout(() => {
      held.grace = null;
      if (!held.feed.attached) this.abort(turnId, 'client-closed');
    }, held.graceMs);
    held.grace.unref();
  }

  /**
   * Attaches `subscriber` to the turn after the event `lastEventId` names. Throws a
   * TurnRequestError when there is no such turn, or the id is another turn's or not an id at all.
   * `ended` resolves when the turn is over and saved (the subscriber has had everything).
   */
  attach(
    turnId: string,
    subscriber: Subscriber,
    lastEventId: string | undefined,
  ): AttachResult & { ended: Promise<void> } {
    const held = this.held.get(turnId);
    if (!held) {
      throw new TurnRequestError(
        'not_found',
        `No live turn with id "${turnId}": it ended (its answer is saved in its conversation) or never existed. GET /api/turns lists the turns still running.`,
      );
    }
    const parsed = parseEventId(turnId, lastEventId);
    if (parsed === null) {
      throw new TurnRequestError(
        'invalid_action',
        `Last-Event-ID "${lastEventId ?? ''}" is not an event id of Sluice's (they look like "${turnId.slice(0, 8)}.41", or just 41). Send the id of the last event you received, or none to start from a snapshot.`,
      );
    }
    if (parsed.kind === 'other') {
      throw new TurnRequestError(
        'invalid_action',
        `Last-Event-ID "${lastEventId ?? ''}" belongs to another turn (its ids start "${parsed.prefix}."), not to turn ${turnId} (ids "${turnId.slice(0, 8)}.N"). Re-attach to that turn's own /api/turns/ID/events, or send no Last-Event-ID here to start from a snapshot.`,
      );
    }
    if (held.grace) clearTimeout(held.grace);
    held.grace = null;
    // No id: the subscriber has nothing yet — everything from the first event, if the buffer still holds it.
    const result = held.feed.attach(subscriber, parsed.kind === 'this' ? parsed.seq : 0);
    return { ...result, ended: held.ended };
  }

  /**
   * The reader of the turn has every event up to the one `lastEventId` names. Throws a
   * TurnRequestError when there is no such turn or the id is not one of its own.
   */
  acknowledge(turnId: string, lastEventId: string): void {
    const held = this.held.get(turnId);
    if (!held)
      throw new TurnRequestError(
        'not_found',
        `No live turn with id "${turnId}" (it may have ended already).`,
      );
    const parsed = parseEventId(turnId, lastEventId);
    if (parsed?.kind !== 'this') {
      throw new TurnRequestError(
        'invalid_action',
        `"${lastEventId}" is not an event id of turn ${turnId} (they look like "${turnId.slice(0, 8)}.41"). Send the id of the last event you received.`,
      );
    }
    held.feed.acknowledge(parsed.seq);
  }

  /** Stops every grace timer (the service is closing; abortAll stops the turns). */
  clear(): void {
    for (const held of this.held.values()) if (held.grace) clearTimeout(held.grace);
  }
}
