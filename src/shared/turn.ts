// The one reducer for a turn (DESIGN.md rule 4, one level above `accumulate`): relay events in,
// the turn out — its steps (one assistant message per request of the tool loop, with their tool
// results), a whole-turn retry and what it set aside, the phase line, the route notices, the
// timing marks and the terminal. The engine, the renderer's live turn, the CLI and the bench all
// follow a turn with it, so every face agrees on what a turn is.
//
// Generic over the state so a face can carry its own fields beside the turn (the renderer's live
// turn does): every transition spreads the state it was given, except the one every delta takes,
// which builds a bare TurnState field by field (see withProgress).
import { accumulate, countToolInputParses, createMessage, finalizeMessage } from './accumulate';
import {
  computeMetrics,
  createMarks,
  detectBuffering,
  isContentEvent,
  observeRelayEvent,
  type BufferingVerdict,
  type TimingMarks,
} from './metrics';
import type {
  AccBlock,
  AccMessage,
  AssistantMessage,
  AssistantStep,
  Outcome,
  ProviderKind,
  RelayError,
  RelayErrorType,
  RelayEvent,
  StreamEvent,
  TerminalEvent,
  ToolCallState,
  TurnSnapshot,
} from './protocol';
import { usageOfSteps } from './usage';

/** What the phase line says. `since` values are in the observer's clock. */
export type Phase =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'waiting'; since: number }
  | { kind: 'retrying'; since: number; delayMs: number; attempt: number; reason: RelayErrorType }
  | { kind: 'turn_retry'; attempt: number; reason: RelayErrorType }
  | { kind: 'thinking'; since: number }
  | { kind: 'answering' }
  | { kind: 'tool_input'; name: string }
  | { kind: 'running_tools'; count: number }
  | { kind: 'awaiting_approval'; tool: string }
  | { kind: 'done' };

export type { ToolCallState };

/** The turn's content (what a snapshot carries, protocol.ts: steps, retired, phase, notices…), and its clocks. */
export type TurnState = TurnSnapshot & {
  /** In the observer's clock. */
  marks: TimingMarks;
  /**
   * Arrival times of content events, for detectBuffering, when the observer asked for them. An
   * append-only log owned by this turn and appended in place: copying it on every event would make
   * a long answer quadratic.
   */
  arrivals: number[] | null;
  terminal: TerminalEvent | null;
  /** Set with the terminal, when arrivals were kept. */
  buffering: BufferingVerdict | null;
};

/** Past any tool loop's length: a step number beyond it is junk, not a step to make room for. */
const MAX_STEP = 1000;

export function createTurn(init: {
  startedAt: number;
  conversationId?: string | null;
  /** Keep content arrival times, to tell a buffered stream at the end. */
  arrivals?: boolean;
}): TurnState {
  return {
    turnId: null,
    conversationId: init.conversationId ?? null,
    provider: null,
    model: null,
    steps: [],
    retired: null,
    phase: { kind: 'connecting', attempt: 1 },
    notices: [],
    marks: createMarks(init.startedAt),
    arrivals: init.arrivals ? [] : null,
    terminal: null,
    buffering: null,
    toolCalls: {},
  };
}

/**
 * Applies one relay event received at `at` (the observer's clock). Returns `turn` itself when the
 * event changed nothing; nothing is applied after the terminal.
 */
export function applyRelayEvent<T extends TurnState>(turn: T, event: RelayEvent, at: number): T {
  if (turn.terminal) return turn;
  const marks = observeRelayEvent(turn.marks, event, at);
  // Provider events are most of a turn: they are applied with one copy of the state, not two.
  if (event.type === 'provider') return applyProvider(turn, marks, event.step, event.event, at);
  const next = marks === turn.marks ? turn : { ...turn, marks };
  switch (event.type) {
    case 'turn_start':
      return {
        ...next,
        turnId: event.turnId,
        conversationId: event.conversationId,
        provider: event.provider,
        model: event.model,
      };
    case 'status':
      return applyStatus(next, event.status, at);
    case 'tool_result': {
      const step = next.steps[event.step];
      if (!step) return next;
      const steps = next.steps.slice();
      steps[event.step] = {
        message: finalizeMessage(step.message),
        toolResults: [...step.toolResults, event.result],
      };
      return { ...next, steps };
    }
    case 'terminal':
      return endTurn(next, event, at);
    case 'snapshot':
      return { ...next, ...event.turn, phase: rebasePhase(event.turn.phase, event.t, at) };
  }
}

/** The turn as a snapshot carries it (its content, in the clock of whoever made it). */
export function snapshotOf(turn: TurnState): TurnSnapshot {
  const { turnId, conversationId, provider, model, steps, retired, phase, notices, toolCalls } = turn;
  return { turnId, conversationId, provider, model, steps, retired, phase, notices, toolCalls };
}

/** A phase timed in the snapshot maker's clock (where `t` is now) moved to the observer's (`at`). */
function rebasePhase(phase: Phase, t: number, at: number): Phase {
  return 'since' in phase ? { ...phase, since: at - (t - phase.since) } : phase;
}

function applyStatus<T extends TurnState>(
  turn: T,
  status: Extract<RelayEvent, { type: 'status' }>['status'],
  at: number,
): T {
  switch (status.phase) {
    case 'connecting':
      return { ...turn, phase: { kind: 'connecting', attempt: status.attempt } };
    case 'waiting':
      // The wait a person feels started when they pressed Send, not when headers arrived.
      return { ...turn, phase: { kind: 'waiting', since: turn.marks.startedAt } };
    case 'retrying':
      return {
        ...turn,
        phase: {
          kind: 'retrying',
          since: at,
          delayMs: status.delayMs,
          attempt: status.attempt,
          reason: status.reason,
        },
      };
    case 'running_tools':
      return {
        ...turn,
        steps: settleSteps(turn.steps),
        phase: { kind: 'running_tools', count: status.toolUseIds.length },
      };
    case 'turn_retry': {
      // The step starts over: what it streamed is set aside, and the next attempt streams anew.
      const previous = turn.steps[status.step];
      return {
        ...turn,
        steps: turn.steps.slice(0, status.step),
        retired: previous
          ? { step: status.step, value: { ...previous, message: finalizeMessage(previous.message) } }
          : turn.retired,
        phase: { kind: 'turn_retry', attempt: status.attempt, reason: status.reason },
      };
    }
    case 'notice':
      return { ...turn, notices: [...turn.notices, status.message] };
    case 'awaiting_approval': {
      const call = newCall(status.server, status.tool);
      return {
        ...turn,
        steps: settleSteps(turn.steps),
        toolCalls: { ...turn.toolCalls, [status.toolUseId]: call },
        phase: { kind: 'awaiting_approval', tool: status.tool },
      };
    }
    case 'tool_decision':
    case 'tool_progress': {
      const call =
        turn.toolCalls[status.toolUseId] ??
        (status.phase === 'tool_decision' ? newCall(status.server, status.tool) : undefined);
      if (!call) return turn;
      const next: ToolCallState =
        status.phase === 'tool_decision'
          ? { ...call, approval: status.decision, remembered: status.remembered ?? false }
          : {
              ...call,
              progress: {
                progress: status.progress,
                ...(status.total !== undefined ? { total: status.total } : {}),
                ...(status.message !== undefined ? { message: status.message } : {}),
              },
            };
      const phase =
        status.phase === 'tool_decision' && turn.phase.kind === 'awaiting_approval'
          ? ({ kind: 'running_tools', count: 1 } as const)
          : turn.phase;
      return { ...turn, phase, toolCalls: { ...turn.toolCalls, [status.toolUseId]: next } };
    }
  }
}

const newCall = (server: string, tool: string): ToolCallState => ({
  server,
  tool,
  approval: 'pending',
  remembered: false,
  progress: null,
});

function applyProvider<T extends TurnState>(
  turn: T,
  marks: TimingMarks,
  step: number,
  event: StreamEvent,
  at: number,
): T {
  // A step number from the wire that no engine sends (negative, fractional, absurd) is ignored.
  if (!Number.isInteger(step) || step < 0 || step > MAX_STEP) return turn;
  const previous = turn.steps[step];
  const message = previous?.message ?? createMessage();
  const accumulated = accumulate(message, event);
  if (turn.arrivals && isContentEvent(event)) turn.arrivals.push(at);
  const phase = phaseAfter(turn.phase, event, at);
  if (accumulated === message && previous) {
    if (phase === turn.phase && marks === turn.marks) return turn;
    return withProgress(turn, marks, turn.steps, phase);
  }
  // A new step means the ones before it have ended. One that skips ahead (events lost on the way,
  // or a retry that cut later steps) leaves no hole: the steps in between are empty ones.
  const steps = step >= turn.steps.length ? settleSteps(turn.steps).slice() : turn.steps.slice();
  for (let i = steps.length; i < step; i++) steps.push({ message: createMessage(), toolResults: [] });
  steps[step] = { message: accumulated, toolResults: previous?.toolResults ?? [] };
  return withProgress(turn, marks, steps, phase);
}

const TURN_FIELDS = Object.keys(createTurn({ startedAt: 0 })).length;

/**
 * The turn after a provider event, once per delta on both sides of the relay. A bare TurnState
 * (the engine's, the CLI's) is built as a literal: V8 in Node 20 copies an object made by a spread,
 * through another spread, about ten times slower (see metrics.ts copyOf). A state carrying fields
 * of its own (the renderer's live turn, in Chromium, where spreads are quick) is spread.
 */
function withProgress<T extends TurnState>(
  turn: T,
  marks: TimingMarks,
  steps: AssistantStep[],
  phase: Phase,
): T {
  if (Object.keys(turn).length !== TURN_FIELDS) return { ...turn, marks, steps, phase };
  const next: TurnState = {
    turnId: turn.turnId,
    conversationId: turn.conversationId,
    provider: turn.provider,
    model: turn.model,
    steps,
    retired: turn.retired,
    phase,
    notices: turn.notices,
    marks,
    arrivals: turn.arrivals,
    terminal: turn.terminal,
    buffering: turn.buffering,
    toolCalls: turn.toolCalls,
  };
  return next as T;
}

function phaseAfter(phase: Phase, event: StreamEvent, at: number): Phase {
  if (typeof (event as unknown) !== 'object' || (event as unknown) === null) return phase; // junk from the wire
  if (event.type === 'content_block_start') {
    // Junk from the wire may lack the block or its name.
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

function endTurn<T extends TurnState>(turn: T, terminal: TerminalEvent, at: number): T {
  return {
    ...turn,
    steps: keptSteps(turn, terminal.outcome),
    phase: { kind: 'done' },
    terminal,
    buffering: turn.arrivals ? detectBuffering(turn.arrivals, turn.marks.startedAt, at) : null,
  };
}

/** The steps a turn ending with `outcome` keeps: all settled, and a failed retry's first attempt back. */
function keptSteps(turn: TurnState, outcome: Outcome): AssistantStep[] {
  const steps = settleSteps(turn.steps);
  const retired = turn.retired;
  if (!retired || outcome === 'complete') return steps;
  // A retry that failed with less to show than the attempt before it must not cost the text.
  const retry = steps[retired.step];
  if (retry?.message.finished) return steps;
  if (contentSize(retired.value.message) <= (retry ? contentSize(retry.message) : 0)) return steps;
  const kept = steps.slice(0, retired.step);
  kept[retired.step] = retired.value;
  return kept;
}

/** Every step's message finalized; `steps` itself when none changed. */
export function settleSteps(steps: AssistantStep[]): AssistantStep[] {
  let out: AssistantStep[] | null = null;
  for (const [index, step] of steps.entries()) {
    const message = finalizeMessage(step.message);
    if (message === step.message) continue;
    out ??= steps.slice();
    out[index] = { ...step, message };
  }
  return out ?? steps;
}

/** A block that shows something or goes back to the provider: non-empty text or thinking, or any other kind. */
const blockHasContent = (b: AccBlock | undefined): boolean =>
  b !== undefined &&
  (b.type === 'text' ? b.text.length > 0 : b.type === 'thinking' ? b.thinking.length > 0 : true);

const stepHasContent = (s: AssistantStep | undefined): boolean =>
  s !== undefined && (s.toolResults.length > 0 || s.message.blocks.some(blockHasContent));

/**
 * Whether a turn that ends now keeps anything of the answer: a block with content or a tool
 * result, in a step or in the attempt a whole-turn retry set aside (which comes back if the retry
 * has less to show). Error sentences say "What arrived so far is kept" only when this is true
 * (`keepsContent` in terminal.ts is the same rule, event by event).
 */
export const hasContent = (turn: TurnState): boolean =>
  stepsHaveContent(turn.steps) || stepHasContent(turn.retired?.value);

/** Whether these steps show anything of the answer (a live turn's may have holes). */
export const stepsHaveContent = (steps: readonly (AssistantStep | undefined)[]): boolean =>
  steps.some(stepHasContent);

const contentSize = (m: AccMessage): number =>
  m.blocks.reduce(
    (n, b) => n + (b?.type === 'text' ? b.text.length : b?.type === 'thinking' ? b.thinking.length : 0),
    0,
  );

/** JSON.parse calls made on tool input over the turn's steps (the contract: one per tool block). */
export const toolInputParses = (steps: readonly AssistantStep[]): number =>
  steps.reduce((n, s) => n + countToolInputParses(s.message), 0);

/** The terminal event that ends `turn` at `t`, with the observer's own numbers. */
export function terminalOf(
  turn: TurnState,
  end: { turnId: string; t: number; outcome: Outcome; error: RelayError | null },
): TerminalEvent {
  const steps = keptSteps(turn, end.outcome);
  return {
    type: 'terminal',
    turnId: end.turnId,
    t: end.t,
    outcome: end.outcome,
    stopReason: steps.at(-1)?.message.stopReason ?? null,
    error: end.error,
    metrics: computeMetrics({ ...turn.marks, endedAt: end.t }),
    toolInputParses: toolInputParses(steps),
  };
}

/** The turn as a stored assistant message; `outcome` is null (and so are its numbers) while it streams. */
export function assistantMessageOf(
  turn: TurnState,
  meta: { turnId: string; createdAt: number; provider: ProviderKind; model: string; id?: string },
): AssistantMessage {
  const terminal = turn.terminal;
  return {
    id: meta.id ?? `msg_${meta.turnId}`,
    role: 'assistant',
    turnId: meta.turnId,
    createdAt: meta.createdAt,
    steps: turn.steps,
    outcome: terminal?.outcome ?? null,
    stopReason: terminal?.stopReason ?? null,
    error: terminal?.error ?? null,
    metrics: terminal?.metrics ?? null,
    provider: turn.provider ?? meta.provider,
    model: turn.model ?? meta.model,
    usage: usageOfSteps(turn.steps),
  };
}
