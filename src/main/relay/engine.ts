// The relay engine: runs one turn (one or more provider requests joined by the tool loop), writes
// every event to a sink as it arrives, and ends with exactly one terminal event.
import type Anthropic from '@anthropic-ai/sdk';
import { finalizeMessage } from '../../shared/accumulate';
import { toApiMessages } from './history';
import { computeMetrics, createMarks, observeRelayEvent } from '../../shared/metrics';
import type {
  AccBlock,
  AccMessage,
  AssistantMessage,
  AssistantStep,
  ChatMessage,
  Metrics,
  Outcome,
  ProviderKind,
  RelayError,
  RelayEvent,
  StopReason,
  ToolResultRecord,
} from '../../shared/protocol';
import type { ProviderClient } from '../providers/anthropic';
import type { ToolRegistry } from '../tools/registry';
import { runTool, toolDefinitions } from '../tools/registry';
import type { RelaySink } from './delivery';
import { Delivery } from './delivery';
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
  provider: ProviderClient;
  providerKind: ProviderKind;
  /** The conversation so far, ending with the user message (or the assistant message to continue). */
  history: ChatMessage[];
  params: Omit<Anthropic.MessageCreateParamsStreaming, 'stream' | 'messages' | 'tools'>;
  tools: ToolRegistry;
  sink: RelaySink;
  signal: AbortSignal;
  idleTimeoutMs: number;
  /** SDK retries for HTTP failures before the body (429/5xx/529). */
  maxRetries?: number;
  /** Retry the whole turn once after a drop or overload, if no tool has run yet. */
  autoRetry?: boolean;
  maxToolRounds?: number;
  /** Characters the relay may hold for a sink that is full before it stops pulling upstream. */
  pendingLimit?: number;
  /** Sentences for the person about this turn's route, sent right after turn_start. */
  notices?: string[];
  /** Called after every event with the turn so far (for saving partial messages). */
  onProgress?: (message: AssistantMessage) => void;
  log?: (entry: RelayLogEntry) => void;
  clock?: () => number;
};

export type TurnResult = {
  outcome: Outcome;
  stopReason: StopReason | null;
  error: RelayError | null;
  metrics: Metrics;
  message: AssistantMessage;
  toolInputParses: number;
  mergedEvents: number;
  peakPending: number;
};

type ToolBlock = Extract<AccBlock, { type: 'tool_use' | 'server_tool_use' }>;

const toolBlocks = (m: AccMessage): ToolBlock[] =>
  m.blocks.filter(
    (b): b is ToolBlock => b !== undefined && (b.type === 'tool_use' || b.type === 'server_tool_use'),
  );

const contentSize = (m: AccMessage): number =>
  m.blocks.reduce(
    (n, b) => n + (b?.type === 'text' ? b.text.length : b?.type === 'thinking' ? b.thinking.length : 0),
    0,
  );

export async function runTurn(opts: RunTurnOptions): Promise<TurnResult> {
  const clock = opts.clock ?? (() => performance.now());
  const { turnId, signal } = opts;
  const delivery = new Delivery(opts.sink, opts.pendingLimit ?? 256 * 1024);
  let marks = createMarks(clock());
  const steps: AssistantStep[] = [];
  const executed = new Set<string>();
  const assistant: AssistantMessage = {
    id: `msg_${turnId}`,
    role: 'assistant',
    turnId,
    createdAt: Date.now(),
    steps,
    outcome: null,
    stopReason: null,
    error: null,
    metrics: null,
    provider: opts.providerKind,
    model: opts.params.model,
  };
  const progress = () => opts.onProgress?.({ ...assistant, steps: [...steps] });
  const observe = (event: RelayEvent) => {
    marks = observeRelayEvent(marks, event, event.t);
  };
  const emit = async (event: RelayEvent) => {
    observe(event);
    await delivery.deliver(event);
  };

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

  let outcome: Outcome = 'complete';
  let error: RelayError | null = null;
  let retriedTurn = false;
  const maxRounds = opts.maxToolRounds ?? 8;
  const tools = toolDefinitions(opts.tools);

  for (let round = 0; ; round++) {
    const step = steps.length;
    const apiMessages = toApiMessages([...opts.history, { ...assistant, steps: [...steps] }]);
    const attempt = () =>
      runStep({
        turnId,
        step,
        provider: opts.provider,
        params: { ...opts.params, messages: apiMessages as Anthropic.MessageParam[], tools },
        signal,
        idleTimeoutMs: opts.idleTimeoutMs,
        maxRetries: opts.maxRetries ?? 2,
        delivery,
        clock,
        observe: (event, message) => {
          observe(event);
          steps[step] = { message, toolResults: [] };
          progress();
        },
      });
    const end = await attempt();
    const message = finalizeMessage(end.message);
    steps[step] = { message, toolResults: [] };
    for (const block of toolBlocks(message)) {
      if (block.input.status !== 'streaming') {
        opts.log?.({
          kind: 'tool_input_parsed',
          turnId,
          toolUseId: block.id,
          name: block.name,
          parseAttempts: block.parseAttempts,
          ok: block.input.status === 'parsed',
        });
      }
    }

    if (
      end.outcome === 'error' &&
      (end.error?.type === 'overloaded' || end.error?.type === 'network') &&
      (opts.autoRetry ?? true) &&
      !retriedTurn &&
      executed.size === 0
    ) {
      retriedTurn = true;
      opts.log?.({ kind: 'turn_retry', turnId, reason: end.error.type });
      const previous = steps[step];
      await emit({
        type: 'status',
        turnId,
        t: clock(),
        status: { phase: 'turn_retry', attempt: 2, reason: end.error.type },
      });
      steps.length = step;
      const retried = await attempt();
      const retriedMessage = finalizeMessage(retried.message);
      // A retry that fails with less to show than the first attempt must not cost the user text.
      const keepFirst =
        retried.outcome !== 'complete' && contentSize(previous.message) > contentSize(retriedMessage);
      steps[step] = keepFirst ? previous : { message: retriedMessage, toolResults: [] };
      if (retried.outcome !== 'complete') {
        outcome = retried.outcome;
        error = retried.error;
        break;
      }
    } else if (end.outcome !== 'complete') {
      outcome = end.outcome;
      error = end.error;
      break;
    }

    const finalMessage = steps[step].message;
    if (finalMessage.stopReason !== 'tool_use' || round + 1 >= maxRounds) break;
    const calls = toolBlocks(finalMessage).filter((b) => b.type === 'tool_use' && !executed.has(b.id));
    if (calls.length === 0) break;

    await emit({
      type: 'status',
      turnId,
      t: clock(),
      status: { phase: 'running_tools', toolUseIds: calls.map((c) => c.id) },
    });
    const results: ToolResultRecord[] = [];
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
      results.push(result);
      steps[step] = { message: finalMessage, toolResults: [...results] };
      await emit({ type: 'tool_result', turnId, t: clock(), step, result });
      progress();
    }
    if (signal.aborted) {
      outcome = 'aborted';
      break;
    }
  }

  const stopReason = steps.at(-1)?.message.stopReason ?? null;
  const terminalAt = clock();
  marks = { ...marks, endedAt: terminalAt };
  const metrics = computeMetrics(marks);
  const toolInputParses = steps.reduce(
    (n, s) => n + toolBlocks(s.message).reduce((k, b) => k + b.parseAttempts, 0),
    0,
  );
  await delivery.deliver({
    type: 'terminal',
    turnId,
    t: terminalAt,
    outcome,
    stopReason,
    error,
    metrics,
    toolInputParses,
  });
  await delivery.settle();
  opts.log?.({ kind: 'turn_end', turnId, outcome, stopReason, mergedEvents: delivery.mergedEvents });
  Object.assign(assistant, { steps: [...steps], outcome, stopReason, error, metrics });
  return {
    outcome,
    stopReason,
    error,
    metrics,
    message: assistant,
    toolInputParses,
    mergedEvents: delivery.mergedEvents,
    peakPending: delivery.peakPending,
  };
}
