// Every way a turn can fail, as a typed value with a sentence a person can act on.
import Anthropic from '@anthropic-ai/sdk';
import { relayErrorTypeOf } from '../../shared/errors';
import type { RelayError, RelayErrorType, WireError } from '../../shared/protocol';

const ADVICE: Record<RelayErrorType, string> = {
  overloaded: 'The provider is overloaded right now. What arrived so far is kept; Retry in a moment.',
  rate_limited: 'The provider is rate-limiting this key. Wait a little, then Retry.',
  network:
    'The connection to the provider dropped. What arrived so far is kept; check the network and Retry.',
  protocol:
    "The provider's response was not a well-formed event stream. What arrived so far is kept; if a proxy sits in between, check its configuration, then Retry.",
  auth: 'The API key was rejected. Check the key in Settings (or ANTHROPIC_API_KEY).',
  permission: 'This API key is not allowed to use that model or feature. Check the model in Settings.',
  invalid_request: 'The provider refused the request as invalid. Check the model and settings.',
  not_found: 'The provider does not know that model or endpoint. Check the model and base URL in Settings.',
  request_too_large: 'The conversation is too large for one request. Start a new conversation or shorten it.',
  api: 'The provider had an internal error. What arrived so far is kept; Retry.',
  proxy: 'Something between Sluice and the provider answered instead of the provider. Check the proxy.',
  stalled: 'The stream stalled: no data arrived within the idle timeout. What arrived so far is kept; Retry.',
  tool: 'A tool failed.',
  unknown: 'Something unexpected went wrong. What arrived so far is kept; Retry.',
};

const WIRE_TYPES: Record<string, RelayErrorType> = {
  overloaded_error: 'overloaded',
  rate_limit_error: 'rate_limited',
  authentication_error: 'auth',
  permission_error: 'permission',
  invalid_request_error: 'invalid_request',
  not_found_error: 'not_found',
  request_too_large: 'request_too_large',
  api_error: 'api',
  timeout_error: 'api',
};

const RETRYABLE: ReadonlySet<RelayErrorType> = new Set([
  'overloaded',
  'rate_limited',
  'network',
  'api',
  'stalled',
]);

export function relayError(
  type: RelayErrorType,
  detail?: string,
  extra?: { status?: number; requestId?: string },
): RelayError {
  const message = detail ? `${ADVICE[type]} (${detail})` : ADVICE[type];
  return {
    type,
    message,
    retryable: RETRYABLE.has(type),
    ...(extra?.status === undefined ? {} : { status: extra.status }),
    ...(extra?.requestId === undefined ? {} : { requestId: extra.requestId }),
  };
}

export function fromWireError(error: WireError): RelayError {
  return relayError(WIRE_TYPES[error.type] ?? 'api', `${error.type}: ${error.message}`);
}

/** The wire error an SDK exception stands for, when it carries one (an `error` event, an HTTP error body). */
export function wireErrorOf(err: unknown): WireError | null {
  if (!(err instanceof Anthropic.APIError)) return null;
  const body = err.error as { error?: { type?: unknown; message?: unknown } } | undefined;
  const type = body?.error?.type;
  const message = body?.error?.message;
  if (typeof type !== 'string') return null;
  return { type, message: typeof message === 'string' ? message : err.message };
}

export function classifyError(err: unknown): RelayError {
  if (err instanceof Anthropic.APIConnectionError) {
    return relayError('network', err.message);
  }
  if (err instanceof Anthropic.APIError) {
    const requestId = err.requestID ?? undefined;
    const wire = wireErrorOf(err);
    if (err.status === undefined) {
      // An `error` event inside a 200 stream.
      return wire ? fromWireError(wire) : relayError('api', err.message);
    }
    const type = wire && WIRE_TYPES[wire.type] ? WIRE_TYPES[wire.type]! : relayErrorTypeOf(err.status);
    return relayError(type, `HTTP ${err.status}${wire ? `, ${wire.type}: ${wire.message}` : ''}`, {
      status: err.status,
      ...(requestId ? { requestId } : {}),
    });
  }
  if (err instanceof SyntaxError)
    return relayError('protocol', `an event was cut off or malformed: ${err.message}`);
  if (err instanceof Error) {
    // undici reports a socket cut mid-body as `TypeError: terminated` with the cause beneath.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (
      err.message === 'terminated' ||
      cause?.code?.startsWith('E') ||
      /socket|ECONN|EPIPE/i.test(err.message)
    ) {
      return relayError('network', cause?.message ?? err.message);
    }
    return relayError('unknown', err.message);
  }
  return relayError('unknown', String(err));
}
