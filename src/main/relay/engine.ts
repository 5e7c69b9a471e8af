// The relay engine: runs one turn (one or more provider requests joined by the tool loop), writes
// every event to a sink as it arrives, follows the turn with the shared turn reducer, and ends with
// exactly one terminal event.
import type Anthropic from '@anthropic-ai/sdk';
import { createMessage, finalizeMessage, toolUses } from '../../shared/accumulate';
import type {
  AccMessage,
  AssistantMessage,
  ChatMessage,
  Metrics,
  Outcome,
  ProviderKind,
  RelayError,
  RelayEvent,
  StopReason,
  TerminalEvent,
  ToolResultRecord,
} from '../../shared/protocol';
import {
  applyRelayEvent,
  assistantMessageOf,
  createTurn,
  hasContent,
  terminalOf,
  type TurnState,
} from '../../shared/turn';
import type { Provider, RequestParams } from '../providers/types';
import type { ToolOutput, ToolRegistry } from '../tools/registry';
import { runTool, toolDefinitions } from '../tools/registry';
import { ApprovalAbortedError, type Approver } from './approval';
import type { RelaySink } from './delivery';
import { Delivery } from './delivery';
import { toApiMessages, type ApiMessageParam } from './history';
import { runStep } from './step';

export type RelayLogEntry =
  | {
      kind: 'tool_input_parsed';
      turnId: string;
      toolUseId: string;
      name: string;
      parseAttempts: number;
      ok: boolean;
    }
  | { kind: 'tool_run'; turnId: string; toolUseId: string; name: string; isError: boolean }
  | { kind: 'turn_retry'; turnId: string; reason: string }
  | {
      kind: 'turn_end';
      turnId: string;
      outcome: Outcome;
      stopReason: StopReason | null;
      mergedEvents: number;
    };

export type RunTurnOptions = {
  turnId: string;
  conversationId: string;
  /** When the stored message says the turn began (default: now). */
  createdAt?: number;
  provider: Provider;
  providerKind: ProviderKind;
  /** The conversation so far, ending with the user message (or the assistant message to continue). */
  history: ChatMessage[];
  params: Omit<RequestParams, 'messages' | 'tools'>;
  tools: ToolRegistry;
  sink: RelaySink;
  signal: AbortSignal;
  /** Keep content arrival times in the turn (for a face that tells a buffered stream). */
  keepArrivals?: boolean;
  idleTimeoutMs: number;
  /** SDK retries for HTTP failures before the body (429/5xx/529). */
  maxRetries?: number;
  /** Retry the whole turn once after a drop mid-stream or an overload, if no tool has run yet. */
  autoRetry?: boolean;
  maxToolRounds?: number;
  /** Asks the person before each MCP call (absent: MCP calls are denied; built-in tools never ask). */
  approve?: Approver;
  /** MCP tool_use ids that already ran in earlier turns of the conversation: never run again. */
  ranBefore?: ReadonlySet<string>;
  /** Called just before an MCP tool runs (the service records the id, so a Retry never runs it twice). */
  onToolStart?: (toolUseId: string) => void;
  /** Characters the relay may hold for a sink that is full before it stops pulling upstream. */
  pendingLimit?: number;
  /** Sentences for the person about this turn's route, sent right after turn_start. */
  notices?: string[];
  /** Called after every event with the turn so far (saving partial messages, the CLI's view). */
  onProgress?: (turn: TurnState) => void;
  log?: (entry: RelayLogEntry) => void;
  clock?: () => number;
};

export type TurnResult = {
  outcome: Outcome;
  stopReason: StopReason | null;
  error: RelayError | null;
  metrics: Metrics;
  /** The turn as the shared reducer followed it, ending with the terminal. */
  turn: TurnState;
  message: AssistantMessage;
  toolInputParses: number;
  mergedEvents: number;
  peakPending: number;
};

type RoundsEnd = { outcome: Outcome; error: RelayError | null };

export async function runTurn(opts: RunTurnOptions): Promise<TurnResult> {
  const clock = opts.clock ?? (() => performance.now());
  const { turnId } = opts;
  const delivery = new Delivery(opts.sink, opts.pendingLimit ?? 256 * 1024);
  const meta = {
    turnId,
    createdAt: opts.createdAt ?? Date.now(),
    provider: opts.providerKind,
    model: opts.params.model,
  };
  let turn = createTurn({
    startedAt: clock(),
    conversationId: opts.conversationId,
    arrivals: opts.keepArrivals ?? false,
  });
  // The reducer sees every event before the sink does, so whoever reads the turn (the partial
  // saver, the CLI) already has what the sink is about to show.
  // A promise only when the sink is holding more than its bound (see Delivery.deliver).
  const emit = (event: RelayEvent): Promise<void> | undefined => {
    turn = applyRelayEvent(turn, event, event.t);
    opts.onProgress?.(turn);
    return delivery.deliver(event);
  };
  const messageOf = (current: TurnState) => assistantMessageOf(current, meta);

  await emit({
    type: 'turn_start',
    turnId,
    conversationId: opts.conversationId,
    t: clock(),
    provider: opts.providerKind,
    model: opts.params.model,
  });
  for (const message of opts.notices ?? []) {
    await emit({ type: 'status', turnId, t: clock(), status: { phase: 'notice', message } });
  }

  const end = await runRounds(opts, {
    clock,
    delivery,
    emit,
    turn: () => turn,
    history: () =>
      toApiMessages([...opts.history, messageOf(turn)], {
        unsignedThinking: opts.provider.target.wire === 'openai',
      }),
  });

  const terminal = terminalOf(turn, { turnId, t: clock(), ...end });
  await emit(terminal);
  await delivery.settle();
  opts.log?.({
    kind: 'turn_end',
    turnId,
    outcome: terminal.outcome,
    stopReason: terminal.stopReason,
    mergedEvents: delivery.mergedEvents,
  });
  return resultOf(terminal, turn, messageOf(turn), delivery);
}

/** A turn's result, read off its terminal; `delivery` says what the sink made the relay hold. */
export function resultOf(
  terminal: TerminalEvent,
  turn: TurnState,
  message: AssistantMessage,
  delivery: { mergedEvents: number; peakPending: number } = { mergedEvents: 0, peakPending: 0 },
): TurnResult {
  const { outcome, stopReason, error, metrics, toolInputParses } = terminal;
  const { mergedEvents, peakPending } = delivery;
  return { outcome, stopReason, error, metrics, turn, message, toolInputParses, mergedEvents, peakPending };
}

type RoundsContext = {
  clock: () => number;
  delivery: Delivery;
  emit: (event: RelayEvent) => Promise<void> | undefined;
  turn: () => TurnState;
  /** The API messages for the next request: the history, then this turn so far. */
  history: () => ApiMessageParam[];
};

/** The tool loop: a request, its tools, the next request, until the model stops asking. */
async function runRounds(opts: RunTurnOptions, ctx: RoundsContext): Promise<RoundsEnd> {
  const { turnId, signal } = opts;
  const executed = new Set<string>();
  const tools = toolDefinitions(opts.tools);
  const maxRounds = opts.maxToolRounds ?? 8;
  let retriedTurn = false;

  for (let round = 0; ; round++) {
    const step = ctx.turn().steps.length;
    const messages = ctx.history() as Anthropic.MessageParam[];
    const attempt = () =>
      runStep({
        turnId,
        step,
        provider: opts.provider,
        params: { ...opts.params, messages, tools },
        signal,
        idleTimeoutMs: opts.idleTimeoutMs,
        maxRetries: opts.maxRetries ?? 2,
        delivery: ctx.delivery,
        clock: ctx.clock,
        emit: ctx.emit,
        message: () => ctx.turn().steps[step]?.message ?? createMessage(),
        kept: () => hasContent(ctx.turn()),
      });
    let end = await attempt();
    // A failure before the response is the SDK's to retry (it already has, maxRetries times); the
    // turn starts over once only for what the SDK cannot retry: a drop mid-stream, or an overload.
    const retryable = end.error?.type === 'overloaded' || (end.error?.type === 'network' && end.headers);
    if (
      end.outcome === 'error' &&
      retryable &&
      (opts.autoRetry ?? true) &&
      !retriedTurn &&
      executed.size === 0
    ) {
      retriedTurn = true;
      opts.log?.({ kind: 'turn_retry', turnId, reason: end.error?.type ?? 'unknown' });
      await ctx.emit({
        type: 'status',
        turnId,
        t: ctx.clock(),
        status: { phase: 'turn_retry', attempt: 2, reason: end.error?.type ?? 'unknown', step },
      });
      end = await attempt();
    }
    const message = finalizeMessage(end.message);
    logParsedInputs(opts, message);
    if (end.outcome !== 'complete') return end;

    if (message.stopReason !== 'tool_use' || round + 1 >= maxRounds) return end;
    const calls = toolUses(message).filter((b) => b.type === 'tool_use' && !executed.has(b.id));
    if (calls.length === 0) return end;

    await ctx.emit({
      type: 'status',
      turnId,
      t: ctx.clock(),
      status: { phase: 'running_tools', toolUseIds: calls.map((c) => c.id) },
    });
    for (const call of calls) {
      if (signal.aborted) break;
      let output: ToolOutput;
      if (call.input.status !== 'parsed') {
        executed.add(call.id);
        output = {
          content: `The tool was not run: its arguments could not be parsed (${call.input.status === 'failed' ? call.input.error.message : 'incomplete'}).`,
          isError: true,
        };
      } else if (opts.tools.get(call.name)?.origin && opts.ranBefore?.has(call.id)) {
        executed.add(call.id);
        output = {
          content: `Not run again: this call (${call.id}) already ran in an earlier attempt, and a tool call is never run twice.`,
          isError: true,
        };
      } else {
        const denied = await approval(opts, ctx, call.id, call.name);
        if (denied === 'aborted') break;
        // Recorded before running: whatever happens next, this id is never run again.
        executed.add(call.id);
        if (denied !== null) output = { content: denied, isError: true };
        else {
          // Side-effect-free built-in tools may run again on Retry; a tool with effects never.
          if (opts.tools.get(call.name)?.origin) opts.onToolStart?.(call.id);
          const progress: Promise<void>[] = [];
          output = await runTool(opts.tools, call.name, call.input.value, signal, (p) => {
            const wait = ctx.emit({
              type: 'status',
              turnId,
              t: ctx.clock(),
              status: { phase: 'tool_progress', toolUseId: call.id, ...p },
            });
            if (wait) progress.push(wait);
          });
          await Promise.all(progress);
        }
      }
      opts.log?.({ kind: 'tool_run', turnId, toolUseId: call.id, name: call.name, isError: output.isError });
      const result: ToolResultRecord = { toolUseId: call.id, name: call.name, ...output };
      await ctx.emit({ type: 'tool_result', turnId, t: ctx.clock(), step, result });
    }
    if (signal.aborted) return { outcome: 'aborted', error: null };
  }
}

/**
 * Asks the person about an MCP call (a built-in tool needs no approval). Null: allowed; a
 * sentence: denied, for the model; 'aborted': the turn was stopped while it waited.
 */
async function approval(
  opts: RunTurnOptions,
  ctx: RoundsContext,
  toolUseId: string,
  name: string,
): Promise<string | null | 'aborted'> {
  const origin = opts.tools.get(name)?.origin;
  if (!origin) return null;
  const { server, tool } = origin;
  const status = (s: Extract<RelayEvent, { type: 'status' }>['status']) =>
    ctx.emit({ type: 'status', turnId: opts.turnId, t: ctx.clock(), status: s });
  if (!opts.approve) return `${name} was not run: this face has no way to ask the person.`;
  if (await opts.approve.remembered(server, tool)) {
    await status({ phase: 'tool_decision', toolUseId, server, tool, decision: 'always', remembered: true });
    return null;
  }
  // Waiting before the question goes out: a face may answer as soon as it sees it.
  const waiting = opts.approve.wait(toolUseId, opts.signal);
  waiting.catch(() => {});
  await status({ phase: 'awaiting_approval', toolUseId, server, tool });
  let decision;
  try {
    decision = await waiting;
  } catch (err) {
    if (err instanceof ApprovalAbortedError) return 'aborted';
    throw err;
  }
  await status({ phase: 'tool_decision', toolUseId, server, tool, decision });
  if (decision === 'always') await opts.approve.remember(server, tool);
  return decision === 'deny' ? `The person denied this call to ${name}; it was not run.` : null;
}

function logParsedInputs(opts: RunTurnOptions, message: AccMessage): void {
  for (const block of toolUses(message)) {
    if (block.input.status === 'streaming') continue;
    opts.log?.({
      kind: 'tool_input_parsed',
      turnId: opts.turnId,
      toolUseId: block.id,
      name: block.name,
      parseAttempts: block.parseAttempts,
      ok: block.input.status === 'parsed',
    });
  }
}
