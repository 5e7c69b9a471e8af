// The one error value for a refused request, the same on every face: `type` for code to switch on,
// a sentence for the person (what happened, what to do) and, for forms, the problem per field. The
// HTTP face sends it as `{"error": …}` with a status (main/server/http.ts), the desktop face returns
// it in an IpcResult (ipc.ts), and the renderer's clients throw it as an ApiFailure. A turn that
// fails once it has begun ends with a RelayError instead (protocol.ts).
import type { RelayErrorType } from './protocol';

export type ApiIssue = { path: string; message: string };

/** What the main process answers a refused request with, on either face. */
export const ANSWER_ERROR_TYPES = [
  /** Malformed, or failed validation. */
  'invalid_request',
  /** Valid, but the conversation cannot do it (nothing to continue, nothing to answer again). */
  'invalid_action',
  /** A settings change that would leave the settings invalid; nothing was saved. */
  'invalid_settings',
  'not_found',
  /** A turn cannot start now: its conversation streams one already, or the concurrent-turn limit is reached. */
  'busy',
  'method_not_allowed',
  'unsupported_media_type',
  'payload_too_large',
  /** No token, or not this server's. */
  'unauthorized',
  /** The desktop face: the call did not come from the Sluice window; a page adding a stdio MCP server. */
  'forbidden',
  /** `sluice serve`: the page of another site. */
  'forbidden_origin',
  /** `sluice serve`: addressed to a name that is not this server's (DNS rebinding). */
  'misdirected',
  'renderer_missing',
  /** The provider asked about (its model list, a connection test) failed or refused; the sentence says why. */
  'provider_unavailable',
  'internal',
] as const;
export type AnswerErrorType = (typeof ANSWER_ERROR_TYPES)[number];

/** Made by the renderer's HTTP client when no answer of Sluice's own arrived. */
export type ClientErrorType = 'network' | 'http';

export type ApiErrorType = AnswerErrorType | ClientErrorType;

export type ApiError = {
  type: ApiErrorType;
  message: string;
  /** Per-field problems, for settings forms. */
  issues?: ApiIssue[];
};

/** An ApiError the main process answers with (never one the renderer made up). */
export type AnswerError = ApiError & { type: AnswerErrorType };

/**
 * A schema's issues as ApiIssues. `whole` names an issue about the value as a whole (an empty
 * path): "(body)", "(payload)", "(settings)".
 */
export const issuesOf = (
  error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] },
  whole: string,
): ApiIssue[] =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.') || whole, message: i.message }));

const isAnswerType = (type: unknown): type is AnswerErrorType =>
  (ANSWER_ERROR_TYPES as readonly unknown[]).includes(type);

const isIssue = (issue: unknown): issue is ApiIssue =>
  typeof (issue as ApiIssue | null)?.path === 'string' && typeof (issue as ApiIssue).message === 'string';

/**
 * The error of a JSON reply `{"error": {type, message, issues?}}`. A type that is not Sluice's own
 * (a proxy's page, another server's JSON) becomes `http`; a reply with no sentence gets `fallback`.
 */
export function apiErrorFromReply(body: unknown, fallback: string): ApiError {
  const e = (body as { error?: { type?: unknown; message?: unknown; issues?: unknown } } | null)?.error;
  const issues = Array.isArray(e?.issues) ? e.issues.filter(isIssue) : [];
  return {
    type: isAnswerType(e?.type) ? e.type : 'http',
    message: typeof e?.message === 'string' ? e.message : fallback,
    ...(issues.length > 0 ? { issues } : {}),
  };
}

/** An ApiError thrown: an Error (for `catch` and stacks) with the value's fields; `issues` is never absent. */
export class ApiFailure extends Error {
  readonly type: ApiErrorType;
  readonly issues: ApiIssue[];
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiFailure';
    this.type = error.type;
    this.issues = error.issues ?? [];
  }
}

/** What an HTTP error status means for a turn, whoever answered it (the provider, or `sluice serve`). */
export function relayErrorTypeOf(status: number): RelayErrorType {
  if (status === 429) return 'rate_limited';
  if (status === 529) return 'overloaded';
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 413) return 'request_too_large';
  if (status >= 400 && status < 500) return 'invalid_request';
  return 'api';
}
