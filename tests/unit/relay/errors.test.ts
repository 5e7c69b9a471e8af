// classifyError on the shapes undici and the SDK really throw (inspected on Node 20 against real
// sockets: the errno code sits on `cause` or `cause.cause`), for the failures a loopback test
// cannot make quickly: connect timeouts, DNS that does not answer, no route, certificates.
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, test } from 'vitest';
import { classifyError, relayError, type ErrorScene } from '../../../src/main/relay/errors';

/** What the SDK throws when fetch fails: APIConnectionError → TypeError('fetch failed') → the socket's error. */
const fetchFailed = (message: string, code?: string) =>
  new Anthropic.APIConnectionError({
    cause: new TypeError('fetch failed', { cause: Object.assign(new Error(message), code ? { code } : {}) }),
  });

const env: ErrorScene = {
  target: {
    baseURL: 'https://llm.example.test',
    source: { label: 'from ANTHROPIC_BASE_URL', variable: 'ANTHROPIC_BASE_URL' },
  },
};
const byDefault: ErrorScene = {
  target: {
    baseURL: 'https://api.anthropic.com',
    source: { label: "the Anthropic provider's default address" },
  },
};
const simulated: ErrorScene = {
  target: {
    baseURL: 'http://127.0.0.1:40001',
    source: { label: 'the embedded simulated provider', embedded: true },
  },
};

describe('a timeout before the response', () => {
  test("the SDK's APIConnectionTimeoutError (undici's connect and headers timeouts end up as one)", () => {
    const error = classifyError(new Anthropic.APIConnectionTimeoutError(), env);
    expect(error).toMatchObject({ type: 'network', cause: 'timeout', retryable: true });
    expect(error.message).toBe(
      'No answer from https://llm.example.test (from ANTHROPIC_BASE_URL): the connection timed out before the server responded. Check that the address in ANTHROPIC_BASE_URL is reachable, and the network connection.',
    );
  });

  test.each([
    ['connect ETIMEDOUT 203.0.113.1:443', 'ETIMEDOUT'],
    [
      'Connect Timeout Error (attempted address: llm.example.test:443, timeout: 10000ms)',
      'UND_ERR_CONNECT_TIMEOUT',
    ],
  ])('%s', (message, code) => {
    const error = classifyError(fetchFailed(message, code), byDefault);
    expect(error.cause).toBe('timeout');
    expect(error.message).toMatch(
      /^No answer from https:\/\/api\.anthropic\.com \(the Anthropic provider's default address\)/,
    );
    expect(error.message).toContain('Check the network connection');
  });
});

test('DNS that does not answer (EAI_AGAIN) is a host not found, said as a lookup that failed', () => {
  const error = classifyError(fetchFailed('getaddrinfo EAI_AGAIN api.anthropic.com', 'EAI_AGAIN'), byDefault);
  expect(error.cause).toBe('host_not_found');
  expect(error.message).toContain(
    'the host name api.anthropic.com could not be looked up (no answer from DNS)',
  );
  expect(error.message).toContain('Check the network connection');
});

test('no route to the host', () => {
  const error = classifyError(fetchFailed('connect EHOSTUNREACH 10.0.0.9:443', 'EHOSTUNREACH'), env);
  expect(error.cause).toBe('unreachable');
  expect(error.message).toContain('there is no network route to llm.example.test');
});

describe('TLS', () => {
  test.each([
    ['CERT_HAS_EXPIRED', 'certificate has expired', 'its certificate has expired or is not valid yet'],
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain',
      'its certificate is not trusted here',
    ],
    [
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'unable to get local issuer certificate',
      'its certificate is not trusted here',
    ],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames",
      'its certificate is for another host name',
    ],
    ['EPROTO', 'write EPROTO', 'the TLS handshake failed'],
  ])('%s', (code, message, reason) => {
    const error = classifyError(fetchFailed(message, code), byDefault);
    expect(error).toMatchObject({ type: 'network', cause: 'tls', retryable: false });
    expect(error.message).toContain(
      `Could not make a secure connection to https://api.anthropic.com (the Anthropic provider's default address): ${reason}.`,
    );
    expect(error.message).toContain('NODE_EXTRA_CA_CERTS');
  });

  test("OpenSSL's dump is left out of the detail; its code stays", () => {
    const dump =
      '80DC0C7EB17F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n';
    const error = classifyError(fetchFailed(dump, 'ERR_SSL_WRONG_VERSION_NUMBER'), env);
    expect(error.message).toMatch(/use http:\/\/ in ANTHROPIC_BASE_URL\. \(ERR_SSL_WRONG_VERSION_NUMBER\)$/);
  });
});

test('refused at a server Sluice started itself says to restart Sluice, not to check a variable', () => {
  const error = classifyError(fetchFailed('connect ECONNREFUSED 127.0.0.1:40001', 'ECONNREFUSED'), simulated);
  expect(error.message).toBe(
    'Nothing is listening at http://127.0.0.1:40001 (the embedded simulated provider): the connection was refused. Sluice started that server itself and it has stopped; restart Sluice. (connect ECONNREFUSED 127.0.0.1:40001)',
  );
});

test('a socket cut mid-body (TypeError: terminated) is a drop; "kept" follows the scene', () => {
  const cut = () =>
    new TypeError('terminated', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
  const kept = classifyError(cut(), { ...env, headers: true, kept: true });
  expect(kept).toMatchObject({ type: 'network', cause: 'dropped' });
  expect(kept.message).toMatch(/dropped in the middle of the answer\. What arrived so far is kept\./);
  const empty = classifyError(cut(), { ...env, headers: true, kept: false });
  expect(empty.message).toMatch(/dropped before any of the answer arrived\./);
  expect(empty.message).not.toContain('kept');
});

test('no sentence of any type says "kept" unless the scene does, nor "Retry"', () => {
  const types = [
    'overloaded',
    'rate_limited',
    'network',
    'protocol',
    'auth',
    'permission',
    'invalid_request',
    'not_found',
    'request_too_large',
    'api',
    'proxy',
    'stalled',
    'tool',
    'unknown',
  ] as const;
  for (const type of types) {
    for (const headers of [false, true]) {
      const message = relayError(type, undefined, undefined, { ...env, headers }).message;
      expect(message, type).not.toMatch(/kept|Retry/);
    }
  }
  for (const type of ['overloaded', 'network', 'protocol', 'api', 'stalled', 'unknown'] as const)
    expect(relayError(type, undefined, undefined, { ...env, kept: true }).message, type).toContain(
      'What arrived so far is kept.',
    );
});
