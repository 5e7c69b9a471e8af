// The relay engine on its own: one turn against the simulated provider, written to any sink.
import { randomUUID } from 'node:crypto';
import { ProviderClient } from '../../src/main/providers/anthropic';
import { OpenAIProvider } from '../../src/main/providers/openai';
import type { Provider, ProviderWire } from '../../src/main/providers/types';
import type { RelaySink } from '../../src/main/relay/delivery';
import { runTurn, type TurnResult } from '../../src/main/relay/engine';
import { builtinTools } from '../../src/main/tools/registry';
import type { RelayEvent } from '../../src/shared/protocol';

export type BenchTurn = {
  /** The simulated provider's address (no `/v1`). */
  baseURL: string;
  /**
   * The wire the engine's provider speaks to it (default `anthropic`): ProviderClient on the
   * Messages API, or OpenAIProvider (the OpenAI-compatible adapter) on `/v1/chat/completions`.
   */
  wire?: ProviderWire;
  headers: Record<string, string>;
  prompt: string;
  maxTokens: number;
  sink: RelaySink;
  signal?: AbortSignal;
  pendingLimit?: number;
  /** The simulated scenario (default sim-text). */
  model?: string;
  /** Default 60 s. */
  idleTimeoutMs?: number;
};

/** The provider ChatService would make for this turn's wire, against the simulated provider. */
function benchProvider(t: BenchTurn): Provider {
  if (t.wire === 'openai')
    return new OpenAIProvider({
      kind: 'openai',
      wire: 'openai',
      dialect: 'generic',
      label: 'Simulated (OpenAI-compatible)',
      apiKey: '',
      baseURL: `${t.baseURL}/v1`,
      headers: t.headers,
    });
  return new ProviderClient({
    kind: 'simulated',
    label: 'Simulated',
    apiKey: 'simulated',
    baseURL: t.baseURL,
    headers: t.headers,
  });
}

/** A provider per turn, as ChatService makes one. No SDK retries and no turn retry: one request. */
export function runBenchTurn(t: BenchTurn): Promise<TurnResult> {
  return runTurn({
    turnId: randomUUID(),
    conversationId: 'bench',
    provider: benchProvider(t),
    providerKind: t.wire === 'openai' ? 'openai' : 'simulated',
    history: [{ id: 'u1', role: 'user', text: t.prompt, createdAt: Date.now() }],
    params: { model: t.model ?? 'sim-text', max_tokens: t.maxTokens },
    tools: builtinTools(),
    sink: t.sink,
    signal: t.signal ?? new AbortController().signal,
    idleTimeoutMs: t.idleTimeoutMs ?? 60_000,
    maxRetries: 0,
    autoRetry: false,
    ...(t.pendingLimit === undefined ? {} : { pendingLimit: t.pendingLimit }),
  });
}

export const isDelta = (e: RelayEvent): boolean =>
  e.type === 'provider' && e.event.type === 'content_block_delta';

/** A sink that takes everything at once and stamps each content delta as it is written. */
export class StampingSink implements RelaySink {
  readonly stamps: number[] = [];
  constructor(private readonly onDelta?: (count: number) => void) {}
  write(event: RelayEvent): boolean {
    if (isDelta(event)) {
      this.stamps.push(performance.now());
      this.onDelta?.(this.stamps.length);
    }
    return true;
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
}
