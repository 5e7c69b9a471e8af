// Small HTTP helpers for the API: JSON bodies in, JSON replies and typed errors out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

export type ApiIssue = { path: string; message: string };

export type ApiErrorType =
  | 'invalid_request'
  | 'invalid_action'
  | 'unauthorized'
  | 'forbidden_origin'
  | 'misdirected'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'renderer_missing'
  | 'internal';

/** An error that becomes the JSON reply `{"error":{type, message, issues?}}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    message: string,
    readonly issues?: ApiIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const issuesOf = (error: z.ZodError): ApiIssue[] =>
  error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));

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

export function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendJson(res, error.status, {
    error: { type: error.type, message: error.message, ...(error.issues ? { issues: error.issues } : {}) },
  });
}

// A message is at most 1,000,000 characters; UTF-8 may take four bytes for one, plus JSON escaping.
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Reads and parses a JSON body; anything else is a 4xx ApiError saying what was wrong. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `The request body must be JSON, sent with "Content-Type: application/json" (it was ${type ? `"${type}"` : 'missing'}).`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiError(413, 'payload_too_large', `The request body is over ${MAX_BODY_BYTES} bytes.`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(
      400,
      'invalid_request',
      `The request body is not valid JSON (${(err as Error).message}).`,
      [],
    );
  }
}

/** Validates a parsed body against a schema; a mismatch is a 400 listing every issue. */
export function validate<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new ApiError(
      400,
      'invalid_request',
      `${what} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return parsed.data;
}
