// The turn being streamed, as the renderer sees it: the shared turn reducer's state (DESIGN.md
// rule 4) plus what only the screen needs — the request and what it hides, Stop, the renderer's
// own numbers, and the text deltas the streaming markdown reads.
import { computeMetrics } from '../../../shared/metrics';
import { continueSteps, joinedTail, type ContinueMode } from '../../../shared/continue';
import type {
  AssistantMessage,
  AssistantStep,
  ChatMessage,
  Metrics,
  RelayEvent,
  StartTurnRequest,
} from '../../../shared/protocol';
import { applyRelayEvent, createTurn, settleSteps, type TurnState } from '../../../shared/turn';

export type { Phase } from '../../../shared/turn';

export type LiveTurn = TurnState & {
  /** Local serial number: tells this turn's late events from the next turn's. */
  key: number;
  request: StartTurnRequest;
  /** The conversation's messages shown above this turn (regenerate and edit hide what they replace). */
  base: ChatMessage[];
  /** The user message this turn answers, when it is new or edited. */
  userText: string | null;
  /**
   * Continue: the answer this turn extends (hidden from `base`, shown joined with this turn's
   * steps in one bubble, as the main process stores it) and how it is continued.
   */
  continues: { message: AssistantMessage; mode: ContinueMode } | null;
  /** Stop was clicked: nothing after that moment is applied. */
  stopped: boolean;
  /** Renderer-side metrics, once the turn has ended or was stopped. */
  here: Metrics | null;
  /**
   * The text deltas of each text block, keyed `step:index`: append-only, appended in place. The
   * streaming markdown reads these instead of the block's concatenated text (see createBlockSplitter).
   */
  textParts: Map<string, string[]>;
  /**
   * When each thinking block's first and last delta arrived (the observer's clock), keyed
   * `step:index`; an entry is replaced, never changed, so a selector sees each new delta.
   */
  thinkingTimes: Map<string, ThinkingTime>;
};

export type ThinkingTime = { first: number; last: number };

export type TimedEvent = { event: RelayEvent; at: number };

export function createLiveTurn(init: {
  key: number;
  request: StartTurnRequest;
  base: ChatMessage[];
  userText: string | null;
  continues?: LiveTurn['continues'];
  startedAt: number;
}): LiveTurn {
  const { startedAt, ...rest } = init;
  const textParts = new Map<string, string[]>();
  // A continue's first text is joined onto the answer's last (shownSteps): its deltas start with
  // that text, so the joined block streams from deltas like any other.
  const tail = init.continues ? joinedTail(init.continues.message.steps, init.continues.mode) : null;
  if (tail !== null) textParts.set('0:0', [tail]);
  return {
    ...createTurn({ startedAt, conversationId: init.request.conversationId, arrivals: true }),
    ...rest,
    continues: init.continues ?? null,
    stopped: false,
    here: null,
    textParts,
    thinkingTimes: new Map(),
  };
}

/** Applies a batch in order; returns `live` itself when nothing in the batch changed it. */
export function applyBatch(live: LiveTurn, batch: readonly TimedEvent[]): LiveTurn {
  let next = live;
  for (const { event, at } of batch) {
    if (next.terminal) break;
    const before = next;
    next = applyRelayEvent(next, event, at);
    if (event.type === 'terminal') next = { ...next, here: computeMetrics(next.marks) };
    else trackText(before, next, event, at);
  }
  return next;
}

function trackText(before: LiveTurn, after: LiveTurn, event: RelayEvent, at: number): void {
  const parts = after.textParts;
  const times = after.thinkingTimes;
  if (event.type === 'snapshot') {
    // A re-attach that missed too much: the text starts again from what the snapshot holds.
    parts.clear();
    times.clear();
    after.steps.forEach((step, s) =>
      step.message.blocks.forEach((block, i) => {
        if (block?.type === 'text') parts.set(`${s}:${i}`, [block.text]);
      }),
    );
    return;
  }
  if (event.type === 'status' && event.status.phase === 'turn_retry') {
    // The reducer set the step aside; its text starts over too.
    const prefix = `${event.status.step}:`;
    for (const key of [...parts.keys()]) if (key.startsWith(prefix)) parts.delete(key);
    for (const key of [...times.keys()]) if (key.startsWith(prefix)) times.delete(key);
    return;
  }
  if (event.type !== 'provider') return;
  const e = event.event;
  if (e.type !== 'content_block_delta') return;
  if (e.delta.type !== 'text_delta' && e.delta.type !== 'thinking_delta') return;
  // Only a delta the reducer took is text on screen.
  if (after.steps[event.step]?.message === before.steps[event.step]?.message) return;
  const key = `${event.step}:${e.index}`;
  if (e.delta.type === 'thinking_delta') {
    times.set(key, { first: times.get(key)?.first ?? at, last: at });
    return;
  }
  const list = parts.get(key);
  if (list) list.push(e.delta.text);
  else parts.set(key, [e.delta.text]);
}

/** Stop: the screen freezes at what it shows now; tool input cut short is marked as not run. */
export function stopTurn(live: LiveTurn, at: number): LiveTurn {
  return {
    ...live,
    stopped: true,
    steps: settleSteps(live.steps),
    phase: { kind: 'done' },
    here: computeMetrics({ ...live.marks, endedAt: at }),
  };
}

/**
 * The steps a live turn shows, and their text deltas by `step:index`: its own, or for a continue
 * the answer it extends joined with them (shared/continue, as the main process stores it). The
 * joined text block's deltas are the answer's text (seeded by createLiveTurn) and then the
 * continuation's.
 */
export function shownSteps(live: LiveTurn): {
  steps: readonly (AssistantStep | undefined)[];
  textParts: ReadonlyMap<string, readonly string[]>;
} {
  if (!live.continues) return { steps: live.steps, textParts: live.textParts };
  const prior = live.continues.message.steps;
  const { steps, joinedAt } = continueSteps(prior, live.steps, live.continues.mode);
  const offset = joinedAt ? prior.length - 1 : prior.length;
  const textParts = new Map<string, readonly string[]>();
  for (const [key, parts] of live.textParts) {
    const [step, index] = key.split(':').map(Number) as [number, number];
    if (joinedAt && step === 0) {
      textParts.set(`${joinedAt.step}:${joinedAt.index + index}`, parts);
    } else textParts.set(`${offset + step}:${index}`, parts);
  }
  return { steps, textParts };
}
