// The openai SDK's failures as the relay's typed errors, and the delay the SDK really sleeps.
import OpenAI from 'openai';
import { describe, expect, test } from 'vitest';
import { anthropicRetryDelayMs, openaiRetryDelayMs } from '../../../src/main/providers/observed-fetch';
import { providerErrorOf, wireErrorOfBody } from '../../../src/main/providers/openai';
import { ProviderApiError, ProviderConnectionError } from '../../../src/main/providers/types';
import { classifyError, streamCutError } from '../../../src/main/relay/errors';

const headers = (h: Record<string, string> = {}) => new Headers({ 'x-request-id': 'req_123', ...h });
const http = (status: number, body: unknown) =>
  providerErrorOf(OpenAI.APIError.generate(status, body as object, undefined, headers()));
const target = {
  baseURL: 'http://127.0.0.1:11434/v1',
  wire: 'openai' as const,
  source: { label: 'from OPENAI_BASE_URL', variable: 'OPENAI_BASE_URL' },
};

describe('HTTP failures', () => {
  test.each([
    [
      429,
      { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
      'rate_limited',
    ],
    [
      429,
      {
        error: {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      },
      'permission',
    ],
    [
      401,
      {
        error: {
          message: 'Incorrect API key provided',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
      'auth',
    ],
    [401, { error: { message: 'No key', type: 'invalid_request_error', code: null } }, 'auth'],
    [
      404,
      {
        error: {
          message: 'The model `x` does not exist',
          type: 'invalid_request_error',
          code: 'model_not_found',
        },
      },
      'not_found',
    ],
    [404, { error: "model 'llama9' not found" }, 'not_found'],
    [
      400,
      {
        error: {
          message: 'maximum context length',
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
        },
      },
      'request_too_large',
    ],
    [400, { error: { message: 'bad', type: 'invalid_request_error', code: null } }, 'invalid_request'],
    [500, { error: { message: 'boom', type: 'server_error', code: null } }, 'api'],
    [503, undefined, 'api'],
  ])('%i %j → %s', (status, body, type) => {
    const err = http(status, body);
    expect(err).toBeInstanceOf(ProviderApiError);
    expect((err as ProviderApiError).status).toBe(status);
    expect((err as ProviderApiError).requestId).toBe('req_123');
    expect(classifyError(err, { target })).toMatchObject({ type, status, requestId: 'req_123' });
  });

  test('the wire type is the code when it is a string, else the type', () => {
    expect(wireErrorOfBody({ message: 'm', type: 'requests', code: 'rate_limit_exceeded' }, 'f')).toEqual({
      type: 'rate_limit_exceeded',
      message: 'm',
    });
    expect(wireErrorOfBody({ message: 'm', type: 'server_error', code: null }, 'f')).toEqual({
      type: 'server_error',
      message: 'm',
    });
    expect(wireErrorOfBody({ code: 429, message: 'slow' }, 'f')).toEqual({
      type: 'rate_limit_exceeded',
      message: 'slow',
    });
    expect(wireErrorOfBody(undefined, 'f')).toBeNull();
  });

  test('a 404 says where the address came from, in the words of this wire', () => {
    const error = classifyError(
      http(404, { error: { message: 'no', type: 'invalid_request_error', code: 'model_not_found' } }),
      {
        target,
      },
    );
    expect(error.message).toContain('points to an OpenAI-compatible server (its /v1 address)');
    expect(error.message).not.toContain('Messages API');
  });
});

describe('in-stream errors', () => {
  test('data: {"error": …} → ProviderApiError without status, classified by its wire type', () => {
    const sdkError = new OpenAI.APIError(
      undefined,
      { message: 'The server had an error', type: 'server_error', param: null, code: null },
      undefined,
      headers(),
    );
    const err = providerErrorOf(sdkError) as ProviderApiError;
    expect(err).toBeInstanceOf(ProviderApiError);
    expect(err.status).toBeUndefined();
    expect(err.wire).toEqual({ type: 'server_error', message: 'The server had an error' });
    expect(classifyError(err)).toMatchObject({ type: 'api', retryable: true });
  });

  test('an OpenRouter error with a numeric code', () => {
    const err = providerErrorOf(
      new OpenAI.APIError(undefined, { code: 429, message: 'Rate limited upstream' }, undefined, headers()),
    );
    expect(classifyError(err)).toMatchObject({ type: 'rate_limited' });
  });

  test('an error payload with neither type nor code still carries a wire error', () => {
    const err = providerErrorOf(
      new OpenAI.APIError(undefined, { message: 'odd' }, undefined, headers()),
    ) as ProviderApiError;
    expect(err.wire).toEqual({ type: 'api_error', message: 'odd' });
  });

  test('a cut on this wire names what was missing', () => {
    expect(streamCutError({ target, kept: true }).message).toContain('(no finish_reason)');
    expect(streamCutError({ target: { baseURL: 'x' }, kept: true }).message).toContain('(no message_stop)');
  });
});

describe('connection failures', () => {
  test('the SDK timeout → network, cause timeout', () => {
    const err = providerErrorOf(new OpenAI.APIConnectionTimeoutError());
    expect(err).toBeInstanceOf(ProviderConnectionError);
    expect(classifyError(err, { target })).toMatchObject({ type: 'network', cause: 'timeout' });
  });

  test('a refused connection → network, cause refused, read off the cause chain', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:11434'), {
      code: 'ECONNREFUSED',
    });
    const sdkError = new OpenAI.APIConnectionError({
      cause: new TypeError('fetch failed', { cause: refused }),
    });
    const error = classifyError(providerErrorOf(sdkError), { target });
    expect(error).toMatchObject({ type: 'network', cause: 'refused' });
    expect(error.message).toContain('Check the address in OPENAI_BASE_URL');
  });

  test('a connection error with nothing telling beneath is still network', () => {
    expect(classifyError(providerErrorOf(new OpenAI.APIConnectionError({})))).toMatchObject({
      type: 'network',
    });
  });

  test('an abort passes through untouched', () => {
    const abort = new OpenAI.APIUserAbortError();
    expect(providerErrorOf(abort)).toBe(abort);
  });
});

describe('retry delays, as each SDK sleeps them', () => {
  const h = (init: Record<string, string>) => new Headers(init);
  test('openai: header values are slept as they are, with no range check', () => {
    expect(openaiRetryDelayMs(h({ 'retry-after-ms': '20' }), 0)).toBe(20);
    expect(openaiRetryDelayMs(h({ 'retry-after': '2' }), 0)).toBe(2000);
    // 120 s is slept in full by this SDK (the Anthropic SDK sleeps it too; both bound only by a timer).
    expect(openaiRetryDelayMs(h({ 'retry-after': '120' }), 0)).toBe(120_000);
    expect(openaiRetryDelayMs(h({ 'retry-after-ms': '-5' }), 0)).toBe(0);
    expect(openaiRetryDelayMs(h({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }), 0)).toBe(0);
    expect(openaiRetryDelayMs(h({ 'retry-after': 'soon' }), 0)).toBe(0);
    expect(openaiRetryDelayMs(h({ 'retry-after-ms': String(2 ** 32) }), 0)).toBe(1);
    expect(openaiRetryDelayMs(h({ 'retry-after-ms': '0', 'retry-after': '3' }), 0)).toBe(3000);
  });

  test('openai: backoff only without either header (upper bound of the jitter)', () => {
    expect(openaiRetryDelayMs(h({}), 0)).toBe(500);
    expect(openaiRetryDelayMs(h({}), 1)).toBe(1000);
    expect(openaiRetryDelayMs(h({}), 6)).toBe(8000);
  });

  test('anthropic: out-of-range values fall back to the backoff', () => {
    expect(anthropicRetryDelayMs(h({ 'retry-after-ms': '20' }), 0)).toBe(20);
    expect(anthropicRetryDelayMs(h({ 'retry-after-ms': '-5' }), 0)).toBe(500);
    expect(anthropicRetryDelayMs(h({ 'retry-after-ms': String(2 ** 32) }), 1)).toBe(1000);
  });
});
