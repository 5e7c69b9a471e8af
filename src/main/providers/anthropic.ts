// The provider adapter: the official SDK's raw event stream, with a fetch that reports what the
// SDK keeps to itself — each attempt, the response headers, the retry it is about to sleep for,
// and every body chunk (pings included), which the idle watchdog needs.
import Anthropic from '@anthropic-ai/sdk';
import { relayErrorTypeOf } from '../../shared/errors';
import type { StreamEvent } from '../../shared/protocol';
import type { ModelInfo, Provider, ProviderTarget, RawEventStream, StreamRequest } from './types';

export type { ProviderTarget, TargetSource } from './types';

export const RETRYABLE_STATUS = (status: number): boolean =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/** The SDK's own delay rule (client.js retryRequest), so the reported delay is the one it sleeps. */
export function retryDelayMs(headers: Headers, retriesSoFar: number): number {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  let delay: number | undefined = Number.isNaN(ms) ? undefined : ms;
  const after = headers.get('retry-after');
  if (after && delay === undefined) {
    const seconds = Number.parseFloat(after);
    delay = Number.isNaN(seconds) ? Date.parse(after) - Date.now() : seconds * 1000;
  }
  if (delay === undefined || !(delay > 0 && delay <= 2 ** 31 - 1)) {
    // Upper bound of the SDK's jittered exponential backoff.
    delay = Math.min(0.5 * 2 ** retriesSoFar, 8) * 1000;
  }
  return delay;
}

const EVENT_TERMINATOR = new TextEncoder().encode('\n\n');

/**
 * Re-wraps a body so every chunk is seen on its way to the SDK. Pull-based with no queue of its
 * own: nothing is read from the socket until the SDK asks, so backpressure reaches TCP.
 *
 * At EOF it adds a blank line. SSE discards an event that is not terminated by one, so an `error`
 * event sent as the very last bytes would otherwise vanish and the turn would end as a generic
 * drop; a truncated event surfaces as a parse error instead, which is what it is.
 */
function observedBody(
  body: ReadableStream<Uint8Array>,
  onBytes: (n: number) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) {
          controller.enqueue(EVENT_TERMINATOR);
          controller.close();
          return;
        }
        onBytes(value.byteLength);
        controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** One SDK client per target; the fetch wrapper reads the observer of the request in flight. */
export class ProviderClient implements Provider {
  readonly target: ProviderTarget;
  private readonly sdk: Anthropic;

  constructor(target: ProviderTarget) {
    this.target = target;
    this.sdk = new Anthropic({
      apiKey: target.apiKey,
      baseURL: target.baseURL,
      defaultHeaders: target.headers ?? {},
      // The relay reports every failure itself, as a typed error; the SDK's console lines would only
      // be noise in a terminal.
      logLevel: 'off',
      // The relay's idle watchdog owns stall detection; the SDK's whole-request timeout would
      // cut a long but healthy stream.
      timeout: 24 * 60 * 60 * 1000,
    });
  }

  /** Streams one request's raw provider events. Ends silently on abort, like the SDK. */
  async open(request: StreamRequest): Promise<RawEventStream> {
    const { observer, maxRetries } = request;
    let attempt = 0;
    let contentType: string | null = null;
    const fetchObserved: typeof fetch = async (input, init) => {
      attempt += 1;
      observer.onAttempt(attempt);
      const response = await fetch(input, init);
      if (!response.ok) {
        const willRetry =
          attempt <= maxRetries &&
          response.headers.get('x-should-retry') !== 'false' &&
          (response.headers.get('x-should-retry') === 'true' || RETRYABLE_STATUS(response.status));
        if (willRetry) {
          observer.onRetry(attempt, {
            status: response.status,
            delayMs: retryDelayMs(response.headers, attempt - 1),
            reason: relayErrorTypeOf(response.status),
          });
        }
        return response;
      }
      contentType = response.headers.get('content-type');
      observer.onHeaders(attempt, {
        status: response.status,
        contentType,
        requestId: response.headers.get('request-id'),
      });
      if (!response.body) return response;
      return new Response(observedBody(response.body, observer.onBytes), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    };
    const client = this.sdk.withOptions({ fetch: fetchObserved, maxRetries });
    const stream = await client.messages.create(
      { ...request.params, stream: true },
      { signal: request.signal, maxRetries },
    );
    return {
      get contentType() {
        return contentType;
      },
      [Symbol.asyncIterator]: () =>
        (stream as AsyncIterable<unknown> as AsyncIterable<StreamEvent>)[Symbol.asyncIterator](),
    };
  }

  /** The API's model list, every page (`GET /v1/models`). */
  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const models: ModelInfo[] = [];
    for await (const model of this.sdk.models.list({}, signal ? { signal } : {})) {
      const createdAt = Date.parse(model.created_at);
      models.push({
        id: model.id,
        name: model.display_name,
        ...(Number.isNaN(createdAt) ? {} : { createdAt }),
      });
    }
    return models;
  }
}
