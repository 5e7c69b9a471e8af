// The Anthropic adapter: the official SDK's raw event stream (already the shared wire), with the
// observed fetch (observed-fetch.ts) that reports each attempt, the headers, the retry it is
// about to sleep for, and every body chunk (pings included), which the idle watchdog needs.
import Anthropic from '@anthropic-ai/sdk';
import type { StreamEvent } from '../../shared/protocol';
import { anthropicRetryDelayMs, observedFetch } from './observed-fetch';
import type { ModelInfo, Provider, ProviderTarget, RawEventStream, StreamRequest } from './types';

export type { ProviderTarget, TargetSource } from './types';

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
    const observed = observedFetch({
      observer,
      maxRetries,
      retryDelayMs: anthropicRetryDelayMs,
      requestIdHeader: 'request-id',
    });
    const client = this.sdk.withOptions({ fetch: observed.fetch, maxRetries });
    // The Messages API takes no temperature (types.ts): a request never carries one there.
    const { temperature: _none, ...params } = request.params;
    const stream = await client.messages.create(
      { ...params, stream: true },
      { signal: request.signal, maxRetries },
    );
    return {
      get contentType() {
        return observed.contentType;
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
