// The fetch both SDK adapters hand their client: it reports what an SDK keeps to itself — each
// attempt, the response headers, the retry it is about to sleep for, and every body chunk (pings
// included), which the idle watchdog needs. Both SDKs are Stainless-generated and decide a retry
// the same way (`x-should-retry`, then 408/409/429/5xx); only the delay rule differs in its edges,
// so each adapter passes the rule its SDK really sleeps by.
import { relayErrorTypeOf } from '../../shared/errors';
import type { AttemptObserver } from './types';

export const RETRYABLE_STATUS = (status: number): boolean =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/** How long an SDK sleeps before retry number `retriesSoFar + 1`, from the failed response's headers. */
export type RetryDelayRule = (headers: Headers, retriesSoFar: number) => number;

/** Upper bound of the SDKs' jittered exponential backoff (0.5 s doubling, at most 8 s). */
export const backoffMs = (retriesSoFar: number): number => Math.min(0.5 * 2 ** retriesSoFar, 8) * 1000;

/**
 * The Anthropic SDK's delay rule (client.js retryRequest): `retry-after-ms`, else `retry-after`
 * (seconds or a date), used only when it is a positive delay one timer can hold; otherwise backoff.
 */
export function anthropicRetryDelayMs(headers: Headers, retriesSoFar: number): number {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  let delay: number | undefined = Number.isNaN(ms) ? undefined : ms;
  const after = headers.get('retry-after');
  if (after && !delay) {
    const seconds = Number.parseFloat(after);
    delay = Number.isNaN(seconds) ? Date.parse(after) - Date.now() : seconds * 1000;
  }
  if (delay === undefined || !(delay > 0 && delay <= 2 ** 31 - 1)) delay = backoffMs(retriesSoFar);
  return delay;
}

/**
 * The openai SDK's delay rule (6.x client.js retryRequest), which has no range check: any parsed
 * header value is slept as is (`setTimeout`), so zero, a negative value or a date in the past
 * sleep ~0 ms, an unparseable date (NaN) too, and anything past 2^31 − 1 ms fires after 1 ms (Node's
 * timer overflow). Backoff only when neither header is there. `retry-after-ms: 0` falls through to
 * `retry-after`, as in the SDK (`!timeoutMillis`).
 */
export function openaiRetryDelayMs(headers: Headers, retriesSoFar: number): number {
  let delay: number | undefined;
  const msHeader = headers.get('retry-after-ms');
  if (msHeader) {
    const ms = Number.parseFloat(msHeader);
    if (!Number.isNaN(ms)) delay = ms;
  }
  const after = headers.get('retry-after');
  if (after && !delay) {
    const seconds = Number.parseFloat(after);
    delay = Number.isNaN(seconds) ? Date.parse(after) - Date.now() : seconds * 1000;
  }
  if (delay === undefined) return backoffMs(retriesSoFar);
  if (Number.isNaN(delay) || delay <= 0) return 0;
  return delay > 2 ** 31 - 1 ? 1 : delay;
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
export function observedBody(
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

export type ObservedFetchOptions = {
  observer: AttemptObserver;
  /** The SDK's `maxRetries` for this request: attempt n is retried only while n ≤ maxRetries. */
  maxRetries: number;
  retryDelayMs: RetryDelayRule;
  /** The response header carrying the provider's request id (`request-id`, `x-request-id`). */
  requestIdHeader: string;
};

export type ObservedFetch = {
  fetch: typeof fetch;
  /** The content type of the 2xx response, once its headers arrived. */
  readonly contentType: string | null;
};

/** One request's fetch (all of its attempts), reporting to that request's observer. */
export function observedFetch(options: ObservedFetchOptions): ObservedFetch {
  const { observer, maxRetries, retryDelayMs, requestIdHeader } = options;
  let attempt = 0;
  let contentType: string | null = null;
  const fetchObserved: typeof fetch = async (input, init) => {
    attempt += 1;
    observer.onAttempt(attempt);
    const response = await fetch(input, init);
    if (!response.ok) {
      const should = response.headers.get('x-should-retry');
      const willRetry =
        attempt <= maxRetries &&
        should !== 'false' &&
        (should === 'true' || RETRYABLE_STATUS(response.status));
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
      requestId: response.headers.get(requestIdHeader),
    });
    if (!response.body) return response;
    return new Response(observedBody(response.body, observer.onBytes), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return {
    fetch: fetchObserved,
    get contentType() {
      return contentType;
    },
  };
}
