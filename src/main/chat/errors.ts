// What a domain failure means to whoever asked, the same on every face: the shared ApiError
// (shared/errors.ts). Each face wraps it in its own envelope: HTTP adds a status
// (server/http.ts), IPC an IpcResult (desktop/handlers.ts), a refused turn a terminal event
// (desktop/turns.ts).
import type { AnswerError } from '../../shared/errors';
import { NotFoundError } from '../store/conversations';
import { InvalidSettingsError } from '../store/settings';
import { ImportError } from '../store/transfer';

/** A turn request the conversation cannot take; nothing was started. */
export class TurnRequestError extends Error {
  constructor(
    /** busy: the conversation already streams an answer, or the concurrent-turn limit is reached. */
    /** invalid_request: what it carries cannot be sent (an attachment over a limit, say). */
    readonly type: 'not_found' | 'invalid_action' | 'busy' | 'forbidden' | 'invalid_request',
    message: string,
  ) {
    super(message);
  }
}

/** A provider asked about (its models, a connection test) failed; the sentence says what to fix. */
export class ProviderUnavailableError extends Error {
  readonly type = 'provider_unavailable';
}

/** The ApiError a domain failure stands for; null for anything else (a bug, a failed write). */
export function domainError(err: unknown): AnswerError | null {
  if (err instanceof NotFoundError) return { type: 'not_found', message: err.message };
  if (err instanceof TurnRequestError) return { type: err.type, message: err.message };
  if (err instanceof ProviderUnavailableError) return { type: err.type, message: err.message };
  if (err instanceof ImportError) {
    return {
      type: 'invalid_request',
      message: err.message,
      ...(err.issues.length > 0 ? { issues: err.issues } : {}),
    };
  }
  if (err instanceof InvalidSettingsError) {
    return { type: 'invalid_settings', message: err.message, issues: err.issues };
  }
  return null;
}
