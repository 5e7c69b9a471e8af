// Test helpers for the OpenAI-compatible adapter: the recorded-format fixtures, a provider aimed at
// a loopback upstream, and one request read to its end the way runStep reads it (every event
// through the one reducer, an in-stream error recorded as an `error` event).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { accumulate, createMessage, finalizeMessage } from '../../src/shared/accumulate';
import type { AccMessage, StreamEvent } from '../../src/shared/protocol';
import { OpenAIProvider, type OpenAIProviderOptions } from '../../src/main/providers/openai';
import { ProviderApiError, type ProviderTarget, type StreamRequest } from '../../src/main/providers/types';

const FIXTURES_URL = new URL('../fixtures/openai/', import.meta.url);

export const OPENAI_FIXTURES = [
  'openai-text.sse',
  'openai-tools.sse',
  'deepseek-reasoning.sse',
  'openrouter-reasoning.sse',
  'ollama-tools.sse',
  'llamacpp-think.sse',
  'vllm-usage-null.sse',
  'openai-refusal.sse',
  'openai-midstream-error.sse',
  'openai-cut.sse',
] as const;
export type OpenAIFixture = (typeof OPENAI_FIXTURES)[number];

export function openaiFixtureBytes(name: OpenAIFixture): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(name, FIXTURES_URL))));
}

/** A counter for fresh tool ids, so a test can name them: call_fresh_1, call_fresh_2… */
export function countingIds(prefix = 'call_fresh_'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

export function openaiProvider(
  baseURL: string,
  target: Partial<ProviderTarget> = {},
  options: OpenAIProviderOptions = {},
): OpenAIProvider {
  return new OpenAIProvider(
    {
      kind: 'openai',
      label: 'Test upstream',
      wire: 'openai',
      dialect: 'generic',
      apiKey: 'test-key',
      baseURL,
      ...target,
    },
    options,
  );
}

export const silentObserver: StreamRequest['observer'] = {
  onAttempt: () => {},
  onHeaders: () => {},
  onRetry: () => {},
  onBytes: () => {},
};

export type Read = { events: StreamEvent[]; message: AccMessage; error: unknown };

/** One request through the adapter, reduced by the shared reducer and settled as the relay settles it. */
export async function readOnce(
  provider: OpenAIProvider,
  params: Partial<StreamRequest['params']> = {},
  request: Partial<Omit<StreamRequest, 'params'>> = {},
): Promise<Read> {
  const events: StreamEvent[] = [];
  let error: unknown = null;
  try {
    const stream = await provider.open({
      params: {
        model: 'test-model',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'hi' }],
        ...params,
      },
      signal: request.signal ?? new AbortController().signal,
      observer: request.observer ?? silentObserver,
      maxRetries: request.maxRetries ?? 0,
    });
    for await (const event of stream) events.push(event);
  } catch (err) {
    error = err;
    if (err instanceof ProviderApiError && err.status === undefined && err.wire)
      events.push({ type: 'error', error: err.wire });
  }
  const message = finalizeMessage(events.reduce(accumulate, createMessage()));
  return { events, message, error };
}
