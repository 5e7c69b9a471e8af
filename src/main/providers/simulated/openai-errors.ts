// API errors as a Chat Completions server answers them: `{"error": {message, type, param, code}}`,
// translated from the Messages API's error types the scenarios and the request checks speak.
import type { Exchange } from './exchange';
import { sendJson } from './reply';
import type { HttpFault } from './types';

const ERRORS: Record<string, { type: string; code: string | null }> = {
  invalid_request_error: { type: 'invalid_request_error', code: null },
  authentication_error: { type: 'invalid_request_error', code: 'invalid_api_key' },
  permission_error: { type: 'invalid_request_error', code: 'permission_denied' },
  not_found_error: { type: 'invalid_request_error', code: null },
  request_too_large: { type: 'invalid_request_error', code: 'request_too_large' },
  rate_limit_error: { type: 'requests', code: 'rate_limit_exceeded' },
  overloaded_error: { type: 'server_error', code: 'overloaded' },
  api_error: { type: 'server_error', code: null },
};

export type OpenAIErrorBody = {
  error: { message: string; type: string; param: null; code: string | null };
};

/** The status and body; an overload is a 503 here, as OpenAI, vLLM and the rest send it (529 is Anthropic's). */
export function openaiError(fault: HttpFault): { status: number; body: OpenAIErrorBody } {
  const known = ERRORS[fault.errorType] ?? { type: fault.errorType, code: null };
  return {
    status: fault.status === 529 ? 503 : fault.status,
    body: {
      error: { message: fault.message, type: known.type, param: null, code: fault.code ?? known.code },
    },
  };
}

export function sendOpenAIFault(ex: Exchange, requestId: string, fault: HttpFault): void {
  const { status, body } = openaiError(fault);
  sendJson(ex, status, requestId, body, fault.headers);
}
