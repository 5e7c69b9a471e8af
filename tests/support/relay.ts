// Runs one relay turn against a loopback upstream and collects what the sink saw.
import type { AssistantMessage, RelayEvent, StreamEvent, UserMessage } from '../../src/shared/protocol';
import type { RelaySink } from '../../src/main/relay/delivery';
import {
  runTurn,
  type RelayLogEntry,
  type RunTurnOptions,
  type TurnResult,
} from '../../src/main/relay/engine';
import { ProviderClient, type ProviderTarget } from '../../src/main/providers/anthropic';
import { builtinTools } from '../../src/main/tools/registry';

export class CollectingSink implements RelaySink {
  readonly events: RelayEvent[] = [];
  write(event: RelayEvent): boolean {
    this.events.push(event);
    return true;
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  providerEvents(): StreamEvent[] {
    return this.events.flatMap((e) => (e.type === 'provider' ? [e.event] : []));
  }
  of<T extends RelayEvent['type']>(type: T): Extract<RelayEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<RelayEvent, { type: T }> => e.type === type);
  }
}

export const userMessage = (text: string): UserMessage => ({ id: 'u1', role: 'user', text, createdAt: 0 });

export type TurnRun = { result: TurnResult; sink: CollectingSink; log: RelayLogEntry[] };

export async function runTurnAgainst(
  baseURL: string,
  overrides: Partial<RunTurnOptions> & {
    model?: string;
    headers?: Record<string, string>;
    /** Fields of the provider's target, e.g. where its address came from. */
    target?: Partial<ProviderTarget>;
  } = {},
): Promise<TurnRun> {
  const sink = overrides.sink instanceof CollectingSink ? overrides.sink : new CollectingSink();
  const log: RelayLogEntry[] = [];
  const { model = 'sim-text', headers, target, ...rest } = overrides;
  const result = await runTurn({
    turnId: 'turn-test',
    conversationId: 'conv-test',
    provider: new ProviderClient({
      kind: 'simulated',
      label: 'Test upstream',
      apiKey: 'test-key',
      baseURL,
      ...(headers ? { headers } : {}),
      ...target,
    }),
    providerKind: 'simulated',
    history: [userMessage('hello')],
    params: { model, max_tokens: 1024 },
    tools: builtinTools(),
    sink,
    signal: new AbortController().signal,
    idleTimeoutMs: 10_000,
    maxRetries: 0,
    log: (e) => log.push(e),
    ...rest,
  });
  return { result, sink, log };
}

/** The text of every text block across an answer's steps. */
export const messageText = (message: AssistantMessage): string =>
  message.steps
    .flatMap((s) => s.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');

/** The text of every text block across the turn's steps. */
export const turnText = (result: TurnResult): string => messageText(result.message);
