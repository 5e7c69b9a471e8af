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
import type { Provider } from '../providers/types';
import type { ToolRegistry } from '../tools/registry';
import { runTool, toolDefinitions } from '../tools/registry';
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
  params: Omit<Anthropic.MessageCreateParamsStreaming, 'stream' | 'messages' | 'tools'>;
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
  const emit = async (event: RelayEvent) => {
    turn = applyRelayEvent(turn, event, event.t);
    opts.onProgress?.(turn);
    await delivery.deliver(event);
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
  emit: (event: RelayEvent) => Promise<void>;
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
      // Recorded before running: whatever happens next, this id is never run again.
      executed.add(call.id);
      const output =
        call.input.status === 'parsed'
          ? await runTool(opts.tools, call.name, call.input.value, signal)
          : {
              content: `The tool was not run: its arguments could not be parsed (${call.input.status === 'failed' ? call.input.error.message : 'incomplete'}).`,
              isError: true,
            };
      opts.log?.({ kind: 'tool_run', turnId, toolUseId: call.id, name: call.name, isError: output.isError });
      const result: ToolResultRecord = { toolUseId: call.id, name: call.name, ...output };
      await ctx.emit({ type: 'tool_result', turnId, t: ctx.clock(), step, result });
    }
    if (signal.aborted) return { outcome: 'aborted', error: null };
  }
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
