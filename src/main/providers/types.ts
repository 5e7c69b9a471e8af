// What every provider adapter is to the relay: a target (where, with which key), a stream of
// provider events in the shared wire vocabulary (the Anthropic Messages streaming shape), and the
// model list. The engine, the reducers, the faces and the metrics see nothing of the wire beneath.
import type Anthropic from '@anthropic-ai/sdk';
import type { ModelInfo, NetworkCause, RelayErrorType, StreamEvent, WireError } from '../../shared/protocol';

/**
 * Where a target's address (or key) came from, as the error sentences name it: "Nothing is
 * listening at http://127.0.0.1:9999 (from ANTHROPIC_BASE_URL)…".
 */
export type TargetSource = {
  /** The phrase in parentheses after the URL: "from ANTHROPIC_BASE_URL", "the embedded simulated provider". */
  label: string;
  /** The variable to correct, when the value came from one (ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY). */
  variable?: string;
  /** A server Sluice started itself on loopback: nothing there means it stopped, not a wrong address. */
  embedded?: boolean;
  /** A local server the person starts (Ollama, LM Studio): what to do when nothing listens there. */
  startHint?: string;
  /** How the person corrects the address, when it is not a variable: "correct the base URL in Settings". */
  setting?: string;
};

/**
 * A request that is not a turn says what it is for in this header (`title`: the conversation's
 * title, chat/title.ts), so an upstream — and the simulated provider's log — can tell it apart.
 */
export const PURPOSE_HEADER = 'x-sluice-purpose';

/** The two wires Sluice speaks. */
export type ProviderWire = 'anthropic' | 'openai';

/**
 * How an OpenAI-compatible server differs from OpenAI's own, where it matters to a request:
 * DeepSeek wants its `reasoning_content` sent back; OpenAI wants `max_completion_tokens`.
 */
export type OpenAIDialect = 'openai' | 'deepseek' | 'generic';

export type ProviderTarget = {
  /** Shown to the user: "Simulated", "Anthropic", "Ollama"… */
  label: string;
  kind: 'simulated' | 'anthropic' | 'openai';
  /** The wire the target speaks (default: `anthropic`). */
  wire?: ProviderWire;
  /** OpenAI-compatible targets only. */
  dialect?: OpenAIDialect;
  apiKey: string;
  baseURL: string;
  /** Where `baseURL` came from (for the sentences of connection failures). */
  source?: TargetSource;
  /** Where `apiKey` came from (for the sentence of a rejected key). */
  keySource?: TargetSource;
  /** Extra headers on every request (the simulated provider's timing knobs, for instance). */
  headers?: Record<string, string>;
};

export type AttemptObserver = {
  /** A request attempt is about to go out (1-based). */
  onAttempt(attempt: number): void;
  /** Response headers arrived with a 2xx status. */
  onHeaders(
    attempt: number,
    info: { status: number; contentType: string | null; requestId: string | null },
  ): void;
  /** A failed response the SDK will retry after `delayMs`. */
  onRetry(attempt: number, info: { status: number; delayMs: number; reason: RelayErrorType }): void;
  /** Any bytes (or the end) of the response body: proof the upstream is alive. */
  onBytes(count: number): void;
};

export type RawEventStream = AsyncIterable<StreamEvent> & { readonly contentType: string | null };

/**
 * A request's body in the Messages API's terms, plus the temperature, which only Chat Completions
 * takes (the Messages API of the installed SDK has none; the Anthropic adapter never sends it).
 */
export type RequestParams = Omit<Anthropic.MessageCreateParamsStreaming, 'stream'> & { temperature?: number };

/**
 * One request, in the Messages API's shape whatever the wire: an OpenAI-compatible adapter
 * translates it (system, messages, tools, max tokens) into a Chat Completions request.
 */
export type StreamRequest = {
  params: RequestParams;
  signal: AbortSignal;
  observer: AttemptObserver;
  maxRetries: number;
};

export type { ModelInfo } from '../../shared/protocol';
export interface Provider {
  readonly target: ProviderTarget;
  /** Streams one request's events. Ends silently on abort; throws the errors below or the SDK's own. */
  open(request: StreamRequest): Promise<RawEventStream>;
  /** The provider's model list (`GET /models`). */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
}

/**
 * An HTTP failure or an in-stream error payload from a wire whose SDK the relay does not know:
 * the adapter throws this, and the relay classifies it like the Anthropic SDK's APIError.
 * `status` is undefined for an error that arrived inside a 200 stream.
 */
export class ProviderApiError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly wire: WireError | null,
    message: string,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ProviderApiError';
  }
}

/**
 * A request that never got a response (refused, unreachable, timed out…) from a wire whose SDK
 * the relay does not know: the relay makes it a `network` error. `networkCause` says what
 * happened when the adapter knows better than the `cause` chain (an SDK's own timeout); otherwise
 * the relay reads it off that chain (`ECONNREFUSED`, …).
 */
export class ProviderConnectionError extends Error {
  readonly networkCause: NetworkCause | undefined;
  constructor(message: string, options: { cause?: unknown; networkCause?: NetworkCause } = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'ProviderConnectionError';
    this.networkCause = options.networkCause;
  }
}
