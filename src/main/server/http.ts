// Small HTTP helpers for the API: JSON bodies in, JSON replies and typed errors out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { issuesOf, type AnswerError, type AnswerErrorType } from '../../shared/errors';
import { domainError } from '../chat/errors';

/** The status each error answers with. A refused settings patch goes out as `invalid_request` (see httpErrorOf). */
const STATUS: Record<AnswerErrorType, number> = {
  invalid_request: 400,
  invalid_action: 409,
  invalid_settings: 400,
  not_found: 404,
  busy: 409,
  method_not_allowed: 405,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  forbidden_origin: 403,
  misdirected: 421,
  renderer_missing: 503,
  provider_unavailable: 502,
  internal: 500,
};

/** The HTTP face of the shared ApiError: the reply `{"error": error}`, with its status and any headers it needs. */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly error: AnswerError,
    readonly headers: Record<string, string> = {},
  ) {
    super(error.message);
    this.status = STATUS[error.type];
  }
}

/**
 * How the HTTP face answers whatever a handler threw: its own HttpErrors as they are, domain
 * failures with the status of their type; null for anything else (answered as a 500).
 */
export function httpErrorOf(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  const error = domainError(err);
  if (!error) return null;
  // The HTTP API has always called this invalid_request (the desktop face says invalid_settings);
  // the 400 and the issues per field say that nothing was saved.
  if (error.type === 'invalid_settings') return new HttpError({ ...error, type: 'invalid_request' });
  return new HttpError(error);
}

/** Headers on every response: nothing is sniffed, nothing leaks in a Referer. */
export const BASE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204, { ...BASE_HEADERS, 'Cache-Control': 'no-store' });
  res.end();
}

export function sendError(res: ServerResponse, { status, error, headers }: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendJson(res, status, { error });
}

// A message is at most 1,000,000 characters; UTF-8 may take four bytes for one, plus JSON escaping.
const MAX_BODY_BYTES = 8 * 1024 * 1024;
/**
 * A turn request may carry attachments: 20 MB of files at most (base64: a third more) and a
 * large paste of up to 1,000,000 characters beside the message's own.
 */
export const TURN_MAX_BYTES = 48 * 1024 * 1024;
const TOO_LARGE: Record<number, string> = {
  [MAX_BODY_BYTES]: 'a message may be at most 1,000,000 characters. Send a shorter one.',
  [TURN_MAX_BYTES]:
    'a message may carry at most 20 MB of attachments and 1,000,000 characters of text. Send less at once.',
};

/** Reads and parses a JSON body; anything else is a 4xx HttpError saying what was wrong. */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError({
      type: 'unsupported_media_type',
      message: `The request body must be JSON, sent with "Content-Type: application/json" (it was ${type ? `"${type}"` : 'missing'}).`,
    });
  }
  // Read with listeners, not `for await`: leaving that loop early destroys the request, and the
  // client, still sending, would see a reset instead of the 413. Past the limit the rest of the
  // body is discarded as it arrives (nothing is kept), and the client reads the answer.
  const body = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.resume();
      chunks.length = 0;
      reject(
        new HttpError({
          type: 'payload_too_large',
          message: `The request body is over ${maxBytes / 1024 / 1024} MiB; ${TOO_LARGE[maxBytes] ?? 'that is the most one request may carry.'}`,
        }),
      );
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    // A client gone before the end of its body: no answer to wait for (a no-op after 'end').
    req.once('close', () =>
      reject(new Error('The client closed the connection before its request body ended.')),
    );
  });
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError({
      type: 'invalid_request',
      message: `The request body is not valid JSON (${(err as Error).message}).`,
      issues: [],
    });
  }
}

/** Validates a parsed body against a schema; a mismatch is a 400 listing every issue. */
export function validate<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error, '(body)');
    throw new HttpError({
      type: 'invalid_request',
      message: `${what} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    });
  }
  return parsed.data;
}
