// Every way a turn can fail, as a typed value with a sentence a person can act on: what happened
// (naming the address and where it came from, when the connection is the problem), "What arrived
// so far is kept" only when something was, and the generic fix. The retry itself belongs to the
// face that shows the sentence (the app's Retry button, the CLI's "run the same command again").
import Anthropic from '@anthropic-ai/sdk';
import { relayErrorTypeOf } from '../../shared/errors';
import type { NetworkCause, RelayError, RelayErrorType, WireError } from '../../shared/protocol';
import { KEPT } from '../../shared/terminal';
import {
  ProviderApiError,
  ProviderConnectionError,
  type ProviderWire,
  type TargetSource,
} from '../providers/types';

/** What the sentence may say about the failure beyond the error itself. */
export type ErrorScene = {
  /** The provider's address and where it came from (and the key's), when known. */
  target?: {
    baseURL: string;
    wire?: ProviderWire;
    source?: TargetSource;
    keySource?: TargetSource;
    /** Never said: a server that repeats the key it rejected ("Incorrect API key provided: …") is quoted without it. */
    apiKey?: string;
  } | null;
  /** The turn keeps something of the answer beside this error. */
  kept?: boolean;
  /** Response headers (2xx) had arrived when it failed: the stream had begun. */
  headers?: boolean;
};

const kept = (scene: ErrorScene) => (scene.kept ? ` ${KEPT}` : '');

/** `text` with the turn's API key (however the server quoted it) taken out. */
export function withoutKey(text: string, scene: ErrorScene): string {
  const key = scene.target?.apiKey;
  return key && key.length >= 4 ? text.replaceAll(key, '[the API key]') : text;
}

/** "http://127.0.0.1:9 (from ANTHROPIC_BASE_URL)", or "the provider" when the address is unknown. */
function where(scene: ErrorScene): string {
  const t = scene.target;
  if (!t) return 'the provider';
  return t.source ? `${t.baseURL} (${t.source.label})` : t.baseURL;
}

const NETWORK_FIX = 'Check the network connection, or a proxy in between.';

/** The API the target's address must lead to, by its wire: "a server of the Messages API". */
const serverOf = (s: ErrorScene): string =>
  s.target?.wire === 'openai'
    ? 'an OpenAI-compatible server (its /v1 address)'
    : 'a server of the Messages API';

const SENTENCES: Record<RelayErrorType, (scene: ErrorScene) => string> = {
  overloaded: (s) => `The provider is overloaded right now.${kept(s)} This usually passes within a minute.`,
  rate_limited: (s) =>
    `The provider is rate-limiting this key.${kept(s)} Wait a little before sending again.`,
  network: (s) =>
    s.headers
      ? s.kept
        ? `The connection to ${where(s)} dropped in the middle of the answer. ${KEPT} ${NETWORK_FIX}`
        : `The connection to ${where(s)} dropped before any of the answer arrived. ${NETWORK_FIX}`
      : `Could not reach ${where(s)}.${kept(s)} ${NETWORK_FIX}`,
  protocol: (s) =>
    `The provider's response was not a well-formed event stream.${kept(s)} If a proxy sits in between, check its configuration.`,
  auth: (s) => {
    const key = s.target?.keySource;
    if (!s.target || !key)
      return s.target?.wire === 'openai'
        ? `${where(s)} rejected the API key. Check the key in Settings.`
        : 'The API key was rejected. Check the key in Settings (or ANTHROPIC_API_KEY).';
    const check = key.variable ?? 'the key in Settings';
    const also = s.target.source?.variable
      ? `, and that ${s.target.source.variable} points to the server that key belongs to`
      : '';
    return `${where(s)} rejected the API key (${key.label}). Check ${check}${also}.`;
  },
  permission: () => 'This API key is not allowed to use that model or feature. Check the model.',
  invalid_request: () => 'The provider refused the request as invalid. Check the model and settings.',
  not_found: (s) => {
    const variable = s.target?.source?.variable;
    const also = variable ? `, and that ${variable} points to ${serverOf(s)}` : '';
    return `${s.target ? where(s) : 'The provider'} does not know that model or endpoint. Check the model${also}.`;
  },
  request_too_large: () =>
    'The conversation is too large for one request. Start a new conversation or shorten it.',
  api: (s) => `The provider had an internal error.${kept(s)} This is usually brief.`,
  proxy: () => 'Something between Sluice and the provider answered instead of the provider. Check the proxy.',
  stalled: (s) =>
    s.headers || s.kept
      ? `The stream stalled: no data arrived within the idle timeout.${kept(s)}`
      : `${s.target ? where(s) : 'The provider'} accepted the connection but sent no response within the idle timeout. It may be overloaded or stuck; the idle timeout can be raised.`,
  tool: () => 'A tool failed.',
  unknown: (s) => `Something unexpected went wrong.${kept(s)}`,
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
  // The OpenAI wire (its `code`, else its `type`; compatible servers send the same names).
  rate_limit_exceeded: 'rate_limited',
  requests: 'rate_limited',
  tokens: 'rate_limited',
  insufficient_quota: 'permission',
  invalid_api_key: 'auth',
  model_not_found: 'not_found',
  context_length_exceeded: 'request_too_large',
  server_error: 'api',
  service_unavailable: 'overloaded',
};

/** Wire types too general to overrule what an HTTP status says (OpenAI sends a 401 as `invalid_request_error`). */
const GENERIC: ReadonlySet<RelayErrorType> = new Set(['invalid_request', 'api']);

const RETRYABLE: ReadonlySet<RelayErrorType> = new Set([
  'overloaded',
  'rate_limited',
  'network',
  'api',
  'stalled',
]);

/** Causes that trying again unchanged cannot cure. */
const NOT_RETRYABLE: ReadonlySet<NetworkCause> = new Set(['tls', 'blocked_port']);

export function relayError(
  type: RelayErrorType,
  detail?: string,
  extra?: { status?: number; requestId?: string },
  scene: ErrorScene = {},
): RelayError {
  const sentence = SENTENCES[type](scene);
  return {
    type,
    message: detail ? `${sentence} (${withoutKey(detail, scene)})` : sentence,
    retryable: RETRYABLE.has(type),
    ...(extra?.status === undefined ? {} : { status: extra.status }),
    ...(extra?.requestId === undefined ? {} : { requestId: extra.requestId }),
  };
}

export function fromWireError(error: WireError, scene: ErrorScene = {}): RelayError {
  return relayError(WIRE_TYPES[error.type] ?? 'api', `${error.type}: ${error.message}`, undefined, scene);
}

/** The wire error an SDK exception stands for, when it carries one (an `error` event, an HTTP error body). */
export function wireErrorOf(err: unknown): WireError | null {
  if (err instanceof ProviderApiError) return err.wire;
  if (!(err instanceof Anthropic.APIError)) return null;
  const body = err.error as { error?: { type?: unknown; message?: unknown } } | undefined;
  const type = body?.error?.type;
  const message = body?.error?.message;
  if (typeof type !== 'string') return null;
  return { type, message: typeof message === 'string' ? message : err.message };
}

// ───────────────────────────── connection failures ─────────────────────────────

type Failure = { code: string | null; message: string };

/**
 * The deepest error of a `cause` chain that says something: undici wraps the socket's error as
 * `TypeError: fetch failed` → `Error: connect ECONNREFUSED …` (code on the cause), or as
 * `TypeError: terminated` → `SocketError: other side closed` (UND_ERR_SOCKET) mid-body; the SDK
 * wraps the first in an APIConnectionError.
 */
function rootFailure(err: unknown): Failure | null {
  let deepest: Error | null = null;
  let withCode: { error: Error; code: string } | null = null;
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    deepest = current;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') withCode = { error: current, code };
    current = (current as { cause?: unknown }).cause;
  }
  if (withCode) return { code: withCode.code, message: withCode.error.message };
  return deepest ? { code: null, message: deepest.message } : null;
}

/** The root failure in parentheses: its own words, or only its code when they are OpenSSL's dump. */
function detailOf(err: unknown, failure: Failure | null): string | null {
  if (!failure || failure.message === (err as Error | null)?.message) return null;
  const message = failure.message.trim();
  if (failure.code && (message.includes('\n') || message.length > 120)) return failure.code;
  return failure.code && !message.includes(failure.code) ? `${failure.code}: ${message}` : message;
}

const TLS_CODE = /CERT|^ERR_TLS_|^ERR_SSL_|^EPROTO$|SSL/;

function causeOf(err: unknown, failure: Failure | null): NetworkCause | null {
  if (err instanceof Anthropic.APIConnectionTimeoutError) return 'timeout';
  if (err instanceof ProviderConnectionError && err.networkCause) return err.networkCause;
  const code = failure?.code ?? '';
  const message = failure?.message ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code.startsWith('EAI_')) return 'host_not_found';
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'].includes(code)) return 'unreachable';
  if (['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT'].includes(code)) return 'timeout';
  if (TLS_CODE.test(code) || /certificate|\bSSL\b|\bTLS\b/i.test(message)) return 'tls';
  if (message === 'bad port') return 'blocked_port';
  if (
    ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code) ||
    message === 'terminated' ||
    /socket/i.test(message)
  )
    return 'dropped';
  return null;
}

function tlsReason(failure: Failure | null): { reason: string; plainHttp: boolean } {
  const code = failure?.code ?? '';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(failure?.message ?? ''))
    return { reason: 'the server did not answer in TLS; it may speak plain HTTP', plainHttp: true };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return { reason: 'its certificate has expired or is not valid yet', plainHttp: false };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH')
    return { reason: 'its certificate is for another host name', plainHttp: false };
  if (/CERT|SELF_SIGNED|UNABLE_TO/.test(code) || /certificate/i.test(failure?.message ?? ''))
    return { reason: 'its certificate is not trusted here', plainHttp: false };
  return { reason: 'the TLS handshake failed', plainHttp: false };
}

function hostAndPort(baseURL: string | undefined): { host: string; port: string } {
  try {
    const url = new URL(baseURL ?? '');
    return { host: url.hostname, port: url.port || (url.protocol === 'https:' ? '443' : '80') };
  } catch {
    return { host: 'the host', port: 'that port' };
  }
}

/** The sentence of a connection failure, by what happened to it. */
function networkSentence(cause: NetworkCause | null, failure: Failure | null, s: ErrorScene): string {
  const at = where(s);
  const { host, port } = hostAndPort(s.target?.baseURL);
  const variable = s.target?.source?.variable;
  switch (cause) {
    case 'refused':
      return `Nothing is listening at ${at}: the connection was refused.${kept(s)} ${
        variable
          ? `Check the address in ${variable}, or start the server it points to.`
          : s.target?.source?.embedded
            ? 'Sluice started that server itself and it has stopped; restart Sluice.'
            : s.target?.source?.startHint
              ? `${s.target.source.startHint.replace(/^./, (c) => c.toUpperCase())}. If it listens elsewhere, ${s.target.source.setting ?? 'correct its address'}.`
              : 'Check the network connection, or a firewall in between.'
      }`;
    case 'host_not_found': {
      const what =
        failure?.code === 'EAI_AGAIN'
          ? `the host name ${host} could not be looked up (no answer from DNS)`
          : `the host name ${host} was not found`;
      const fix = variable
        ? `Check the host name in ${variable}, and the network connection.`
        : `${NETWORK_FIX}`;
      return `Could not reach ${at}: ${what}.${kept(s)} ${fix}`;
    }
    case 'unreachable':
      return `Could not reach ${at}: there is no network route to ${host}.${kept(s)} ${variable ? `Check the address in ${variable}, and the network connection.` : NETWORK_FIX}`;
    case 'tls': {
      const { reason, plainHttp } = tlsReason(failure);
      const fix = plainHttp
        ? variable
          ? `If that server speaks plain HTTP, use http:// in ${variable}.`
          : 'If that server speaks plain HTTP, use an http:// address.'
        : `${variable ? `Check the address in ${variable}; if` : 'If'} a proxy on this network inspects TLS, give Node its CA certificate with NODE_EXTRA_CA_CERTS.`;
      return `Could not make a secure connection to ${at}: ${reason}.${kept(s)} ${fix}`;
    }
    case 'timeout':
      return `No answer from ${at}: the connection timed out before the server responded.${kept(s)} ${
        variable
          ? `Check that the address in ${variable} is reachable, and the network connection.`
          : 'Check the network connection; the provider may also be slow right now.'
      }`;
    case 'blocked_port':
      return `Sluice will not connect to ${at}: port ${port} is on fetch's list of blocked ports.${kept(s)} ${variable ? `Use another port in ${variable}.` : 'Use another port.'}`;
    case 'dropped':
      if (!s.headers)
        return `${at} closed the connection without answering.${kept(s)} ${variable ? `Check that ${variable} points to ${serverOf(s)}, and the network connection.` : NETWORK_FIX}`;
      return SENTENCES.network(s);
    case null:
      return SENTENCES.network(s);
  }
}

/** A connection failure as a `network` error, told apart by its cause. */
export function networkError(err: unknown, scene: ErrorScene = {}): RelayError {
  const failure = rootFailure(err);
  const cause = causeOf(err, failure) ?? (scene.headers ? 'dropped' : null);
  const detail = detailOf(err, failure);
  return {
    type: 'network',
    message: `${networkSentence(cause, failure, scene)}${detail ? ` (${withoutKey(detail, scene)})` : ''}`,
    ...(cause ? { cause } : {}),
    retryable: !(cause && NOT_RETRYABLE.has(cause)),
  };
}

/** A stream that ended (EOF) before message_stop: the connection closed in the middle of the answer. */
export function streamCutError(scene: ErrorScene): RelayError {
  const sentence = scene.kept
    ? `The stream from ${where(scene)} ended before the answer was complete. ${KEPT} ${NETWORK_FIX}`
    : `The stream from ${where(scene)} ended before any of the answer arrived. ${NETWORK_FIX}`;
  const missing = scene.target?.wire === 'openai' ? 'no finish_reason' : 'no message_stop';
  return { type: 'network', message: `${sentence} (${missing})`, cause: 'dropped', retryable: true };
}

export function classifyError(err: unknown, scene: ErrorScene = {}): RelayError {
  if (err instanceof Anthropic.APIConnectionError || err instanceof ProviderConnectionError)
    return networkError(err, scene);
  if (err instanceof Anthropic.APIError || err instanceof ProviderApiError) {
    const requestId = (err instanceof ProviderApiError ? err.requestId : err.requestID) ?? undefined;
    const wire = wireErrorOf(err);
    if (err.status === undefined) {
      // An `error` event inside a 200 stream.
      return wire ? fromWireError(wire, scene) : relayError('api', err.message, undefined, scene);
    }
    const byWire = wire ? WIRE_TYPES[wire.type] : undefined;
    const byStatus = relayErrorTypeOf(err.status);
    const type = byWire && !(GENERIC.has(byWire) && !GENERIC.has(byStatus)) ? byWire : byStatus;
    return relayError(
      type,
      `HTTP ${err.status}${wire ? `, ${wire.type}: ${wire.message}` : ''}`,
      { status: err.status, ...(requestId ? { requestId } : {}) },
      scene,
    );
  }
  if (err instanceof SyntaxError)
    return relayError('protocol', `an event was cut off or malformed: ${err.message}`, undefined, scene);
  if (err instanceof Error) {
    // undici reports a socket cut mid-body as `TypeError: terminated` with the cause beneath.
    const failure = rootFailure(err);
    if (causeOf(err, failure) || failure?.code?.startsWith('E') || /ECONN|EPIPE/.test(err.message))
      return networkError(err, scene);
    return relayError('unknown', err.message, undefined, scene);
  }
  return relayError('unknown', String(err), undefined, scene);
}
