// The turn being streamed, as the renderer sees it, and the pure function that applies a batch of
// relay events to it. Provider events go through the shared reducer (DESIGN.md rule 4); the rest
// is what only the screen needs: the phase line and the renderer's own timing marks.
import { accumulate, createMessage, finalizeMessage } from '../../../shared/accumulate';
import {
  computeMetrics,
  createMarks,
  detectBuffering,
  isContentEvent,
  observeRelayEvent,
  type BufferingVerdict,
  type TimingMarks,
} from '../../../shared/metrics';
import type {
  AssistantStep,
  ChatMessage,
  Metrics,
  ProviderKind,
  RelayErrorType,
  RelayEvent,
  StartTurnRequest,
  TerminalEvent,
} from '../../../shared/protocol';

/** What the phase line says. `since` values are in the renderer's clock (performance.now()). */
export type Phase =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'waiting'; since: number }
  | { kind: 'retrying'; since: number; delayMs: number; attempt: number; reason: RelayErrorType }
  | { kind: 'turn_retry'; attempt: number; reason: RelayErrorType }
  | { kind: 'thinking'; since: number }
  | { kind: 'answering' }
  | { kind: 'tool_input'; name: string }
  | { kind: 'running_tools'; count: number }
  | { kind: 'done' };

export type LiveTurn = {
  /** Local serial number: tells this turn's late events from the next turn's. */
  key: number;
  request: StartTurnRequest;
  turnId: string | null;
  conversationId: string | null;
  /** The conversation's messages shown above this turn (regenerate and edit hide what they replace). */
  base: ChatMessage[];
  /** The user message this turn answers, when it is new or edited. */
  userText: string | null;
  provider: ProviderKind | null;
  model: string | null;
  startedAt: number;
  steps: AssistantStep[];
  phase: Phase;
  marks: TimingMarks;
  /**
   * Arrival times of content events, for detectBuffering. An append-only log owned by this turn:
   * appended in place, because copying it on every frame would make a long answer quadratic.
   */
  arrivals: number[];
  /** Stop was clicked: nothing after that moment is applied. */
  stopped: boolean;
  terminal: TerminalEvent | null;
  /** Renderer-side metrics, once the turn has ended or was stopped. */
  here: Metrics | null;
  buffering: BufferingVerdict | null;
  /** What the relay said about this turn's route (nginx mode, or why it went direct). */
  notices: string[];
  /**
   * The text deltas of each text block, keyed `step:index`: append-only, appended in place. The
   * streaming markdown reads these instead of the block's concatenated text (see createBlockSplitter).
   */
  textParts: Map<string, string[]>;
};

export type TimedEvent = { event: RelayEvent; at: number };

export function createLiveTurn(init: {
  key: number;
  request: StartTurnRequest;
  base: ChatMessage[];
  userText: string | null;
  startedAt: number;
}): LiveTurn {
  return {
    ...init,
    turnId: null,
    conversationId: init.request.conversationId,
    provider: null,
    model: null,
    steps: [],
    phase: { kind: 'connecting', attempt: 1 },
    marks: createMarks(init.startedAt),
    arrivals: [],
    stopped: false,
    terminal: null,
    here: null,
    buffering: null,
    notices: [],
    textParts: new Map(),
  };
}

/** Applies a batch in order; returns `live` itself when nothing in the batch changed it. */
export function applyBatch(live: LiveTurn, batch: readonly TimedEvent[]): LiveTurn {
  let next = live;
  for (const { event, at } of batch) {
    if (next.terminal) break;
    if (event.type === 'provider' && isContentEvent(event.event)) next.arrivals.push(at);
    next = event.type === 'terminal' ? endTurn(next, event, at, next.arrivals) : applyEvent(next, event, at);
  }
  return next;
}

function applyEvent(live: LiveTurn, event: Exclude<RelayEvent, { type: 'terminal' }>, at: number): LiveTurn {
  const marks = observeRelayEvent(live.marks, event, at);
  const turn = marks === live.marks ? live : { ...live, marks };
  switch (event.type) {
    case 'turn_start':
      return {
        ...turn,
        turnId: event.turnId,
        conversationId: event.conversationId,
        provider: event.provider,
        model: event.model,
      };
    case 'status': {
      const s = event.status;
      switch (s.phase) {
        case 'connecting':
          return { ...turn, phase: { kind: 'connecting', attempt: s.attempt } };
        case 'waiting':
          // The wait a person feels started when they pressed Send, not when headers arrived.
          return { ...turn, phase: { kind: 'waiting', since: turn.startedAt } };
        case 'retrying':
          return {
            ...turn,
            phase: { kind: 'retrying', since: at, delayMs: s.delayMs, attempt: s.attempt, reason: s.reason },
          };
        case 'running_tools':
          return { ...turn, phase: { kind: 'running_tools', count: s.toolUseIds.length } };
        case 'turn_retry':
          return { ...turn, phase: { kind: 'turn_retry', attempt: s.attempt, reason: s.reason } };
        case 'notice':
          return { ...turn, notices: [...turn.notices, s.message] };
        default:
          return turn;
      }
    }
    case 'provider': {
      const previous = turn.steps[event.step];
      // A whole-turn retry reuses the step number: its new message_start replaces what streamed before.
      const restart = event.event.type === 'message_start' && previous?.message.started === true;
      const message = previous && !restart ? previous.message : createMessage();
      const accumulated = accumulate(message, event.event);
      if (restart) {
        for (const key of [...turn.textParts.keys()])
          if (key.startsWith(`${event.step}:`)) turn.textParts.delete(key);
      }
      const e = event.event;
      if (e.type === 'content_block_delta' && e.delta.type === 'text_delta' && accumulated !== message) {
        const key = `${event.step}:${e.index}`;
        const parts = turn.textParts.get(key);
        if (parts) parts.push(e.delta.text);
        else turn.textParts.set(key, [e.delta.text]);
      }
      const phase = phaseAfter(turn.phase, event.event, at);
      if (accumulated === previous?.message && phase === turn.phase) return turn;
      const steps = turn.steps.slice();
      steps[event.step] = {
        message: accumulated,
        toolResults: previous && !restart ? previous.toolResults : [],
      };
      return { ...turn, steps, phase };
    }
    case 'tool_result': {
      const step = turn.steps[event.step];
      if (!step) return turn;
      const steps = turn.steps.slice();
      steps[event.step] = { ...step, toolResults: [...step.toolResults, event.result] };
      return { ...turn, steps };
    }
    default: {
      const _unknown: never = event;
      return turn;
    }
  }
}

function phaseAfter(
  phase: Phase,
  event: Extract<RelayEvent, { type: 'provider' }>['event'],
  at: number,
): Phase {
  if (event.type === 'content_block_start') {
    const block = event.content_block as { type?: unknown; name?: unknown } | undefined;
    if (block?.type === 'tool_use' || block?.type === 'server_tool_use') {
      return { kind: 'tool_input', name: typeof block.name === 'string' ? block.name : 'tool' };
    }
    return phase;
  }
  if (event.type !== 'content_block_delta') return phase;
  const kind = (event.delta as { type?: unknown } | undefined)?.type;
  if (kind === 'thinking_delta' && phase.kind !== 'thinking') return { kind: 'thinking', since: at };
  if (kind === 'text_delta' && phase.kind !== 'answering') return { kind: 'answering' };
  return phase;
}

function endTurn(live: LiveTurn, terminal: TerminalEvent, at: number, arrivals: readonly number[]): LiveTurn {
  const marks = observeRelayEvent(live.marks, terminal, at);
  return {
    ...live,
    marks,
    steps: finalizeSteps(live.steps),
    phase: { kind: 'done' },
    terminal,
    here: computeMetrics(marks),
    buffering: detectBuffering(arrivals, marks.startedAt, at),
  };
}

/** Stop: the screen freezes at what it shows now; tool input cut short is marked as not run. */
export function stopTurn(live: LiveTurn, at: number): LiveTurn {
  return {
    ...live,
    stopped: true,
    steps: finalizeSteps(live.steps),
    phase: { kind: 'done' },
    here: computeMetrics({ ...live.marks, endedAt: at }),
  };
}

export function finalizeSteps(steps: AssistantStep[]): AssistantStep[] {
  let changed = false;
  const out = steps.map((step) => {
    const message = finalizeMessage(step.message);
    if (message === step.message) return step;
    changed = true;
    return { ...step, message };
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set in the map callback (TS#9998)
  return changed ? out : steps;
}
