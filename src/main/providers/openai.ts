// The OpenAI Chat Completions adapter (OpenAI, Ollama, LM Studio, llama.cpp, vLLM, OpenRouter,
// DeepSeek…): the official `openai` SDK's raw chunk stream — never its `.stream()` helper, which
// accumulates on its own and throws on the usage chunk — translated into the shared wire
// (openai-chunks.ts), from a request converted out of the Messages API's shape
// (openai-messages.ts). The observed fetch (observed-fetch.ts) reports each attempt, the
// headers, each retry with the delay this SDK really sleeps, and every body chunk.
import OpenAI from 'openai';
import type { StreamEvent, WireError } from '../../shared/protocol';
import { observedFetch, openaiRetryDelayMs } from './observed-fetch';
import { ChunkTranslator } from './openai-chunks';
import { toChatCompletionRequest, toolIdsOf } from './openai-messages';
import {
  ProviderApiError,
  ProviderConnectionError,
  type ModelInfo,
  type Provider,
  type ProviderTarget,
  type RawEventStream,
  type StreamRequest,
} from './types';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A wire type for an error object's numeric `code` (OpenRouter sends the upstream's HTTP status). */
function wireTypeOfStatus(code: number): string {
  if (code === 429) return 'rate_limit_exceeded';
  if (code === 503 || code === 529) return 'overloaded_error';
  if (code === 401) return 'authentication_error';
  if (code >= 400 && code < 500) return 'invalid_request_error';
  return 'server_error';
}

/**
 * The wire error of an OpenAI-style error object: `{message, type, code, param}`. The `code` is
 * the more telling of the two (`invalid_api_key`, `model_not_found`, `rate_limit_exceeded` under
 * the types `invalid_request_error` and `requests`), so it names the error when it is a string.
 */
export function wireErrorOfBody(error: unknown, fallback: string): WireError | null {
  if (typeof error === 'string') return { type: 'api_error', message: error };
  if (!isRecord(error)) return null;
  const { code, type, message } = error;
  const wireType =
    typeof code === 'string' && code !== ''
      ? code
      : typeof type === 'string' && type !== ''
        ? type
        : typeof code === 'number'
          ? wireTypeOfStatus(code)
          : 'api_error';
  return { type: wireType, message: typeof message === 'string' ? message : fallback };
}

/**
 * The openai SDK's failures as the errors the relay knows: an HTTP error or an in-stream error
 * payload → ProviderApiError (with the status, or without it mid-stream); no response at all →
 * ProviderConnectionError (its own timeout says `timeout`; otherwise the relay reads the cause
 * chain: ECONNREFUSED, ENOTFOUND…). An abort and anything else (undici's `terminated` mid-body,
 * a SyntaxError from a malformed chunk) pass through as they are.
 */
export function providerErrorOf(err: unknown): unknown {
  if (err instanceof OpenAI.APIUserAbortError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return new ProviderConnectionError(err.message, { cause: err, networkCause: 'timeout' });
  if (err instanceof OpenAI.APIConnectionError)
    return new ProviderConnectionError(err.message, { cause: err });
  if (err instanceof OpenAI.APIError) {
    const wire = wireErrorOfBody(err.error, err.message);
    // An error inside a 200 stream always carries a wire error, so the relay records it as an event.
    const inStream = err.status === undefined;
    return new ProviderApiError(
      err.status,
      wire ?? (inStream ? { type: 'api_error', message: err.message } : null),
      err.message,
      err.requestID ?? null,
    );
  }
  return err;
}

/**
 * The SDK sleeps between retries without looking at the signal, so a Stop during a long
 * `retry-after` would wait it out. The request settles at once on abort instead (as an abort);
 * the SDK checks the signal before its next attempt and sends nothing more.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new OpenAI.APIUserAbortError());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export type OpenAIProviderOptions = {
  /**
   * Makes a fresh tool-call id, for a call whose id is missing or not unique (Ollama's `call_0`
   * on every call). Default: `call_` + 24 random hex digits.
   */
  newToolId?: () => string;
};

/** One SDK client per target; each request gets its own observed fetch. */
export class OpenAIProvider implements Provider {
  readonly target: ProviderTarget;
  private readonly sdk: OpenAI;
  private readonly newToolId: (() => string) | undefined;

  /**
   * `target.baseURL` is the server's `/v1` address (`https://api.openai.com/v1`,
   * `http://127.0.0.1:11434/v1`); `target.apiKey` may be empty for a local server that takes none;
   * `target.dialect` picks `max_completion_tokens` (openai) and DeepSeek's `reasoning_content`.
   */
  constructor(target: ProviderTarget, options: OpenAIProviderOptions = {}) {
    this.target = { ...target, wire: 'openai' };
    this.newToolId = options.newToolId;
    const keyless = target.apiKey === '';
    this.sdk = new OpenAI({
      // The SDK refuses to start without a key; a keyless server gets no Authorization header.
      apiKey: keyless ? 'none' : target.apiKey,
      baseURL: target.baseURL,
      // Not from the environment: OPENAI_ORG_ID must not reach Ollama or OpenRouter.
      organization: null,
      project: null,
      defaultHeaders: { ...(keyless ? { Authorization: null } : {}), ...target.headers },
      // The relay reports every failure itself, as a typed error.
      logLevel: 'off',
      // The relay's idle watchdog owns stall detection; the SDK's whole-request timeout would
      // cut a long but healthy stream.
      timeout: 24 * 60 * 60 * 1000,
    });
  }

  /** Streams one request's events in the shared wire. Ends silently on abort. */
  async open(request: StreamRequest): Promise<RawEventStream> {
    const { observer, maxRetries, signal, params } = request;
    const observed = observedFetch({
      observer,
      maxRetries,
      retryDelayMs: openaiRetryDelayMs,
      requestIdHeader: 'x-request-id',
    });
    const client = this.sdk.withOptions({ fetch: observed.fetch, maxRetries });
    const body = toChatCompletionRequest(params, { dialect: this.target.dialect });
    const pending = client.chat.completions.create(body, { signal, maxRetries });
    let stream: AsyncIterable<unknown>;
    try {
      stream = await untilAborted(pending, signal);
    } catch (err) {
      throw providerErrorOf(err);
    }
    const translator = new ChunkTranslator({
      reservedIds: toolIdsOf(params.messages),
      ...(this.newToolId ? { newId: this.newToolId } : {}),
    });
    async function* events(): AsyncGenerator<StreamEvent> {
      try {
        for await (const chunk of stream) yield* translator.push(chunk);
      } catch (err) {
        throw providerErrorOf(err);
      }
      yield* translator.end();
    }
    return {
      get contentType() {
        return observed.contentType;
      },
      [Symbol.asyncIterator]: () => events(),
    };
  }

  /** The server's model list (`GET /models`); `created` is in seconds on this wire. */
  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const models: ModelInfo[] = [];
    try {
      for await (const model of this.sdk.models.list(signal ? { signal } : {})) {
        const created = (model as { created?: unknown }).created;
        models.push({
          id: model.id,
          ...(typeof created === 'number' && created > 0 ? { createdAt: created * 1000 } : {}),
        });
      }
    } catch (err) {
      throw providerErrorOf(err);
    }
    return models;
  }
}
