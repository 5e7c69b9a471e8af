// One mapper from domain failures to the shared error value, and what each face makes of it: the
// HTTP face adds a status (keeping its historical `invalid_request` for refused settings), the
// desktop face returns the value as it is, and the browser twin's client reads it back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { domainError, TurnRequestError } from '../../src/main/chat/errors';
import { HttpError, httpErrorOf } from '../../src/main/server/http';
import { createHttpClient, HttpApiError } from '../../src/renderer/src/api/http';
import { ConversationStore, NotFoundError } from '../../src/main/store/conversations';
import { InvalidSettingsError, SettingsStore } from '../../src/main/store/settings';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
const dataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-errors-'));
  dirs.push(dir);
  return dir;
};

test('the stores’ own failures map to not_found and invalid_settings, with the store’s sentence and issues', async () => {
  const dir = await dataDir();
  const missing = await new ConversationStore(dir).get('nope').catch((e: unknown) => e);
  expect(missing).toBeInstanceOf(NotFoundError);
  expect(domainError(missing)).toEqual({ type: 'not_found', message: 'No conversation with id "nope".' });

  const refused = await new SettingsStore(dir).update({ maxTokens: 0 }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(InvalidSettingsError);
  expect(domainError(refused)).toEqual({
    type: 'invalid_settings',
    message: (refused as Error).message,
    issues: [expect.objectContaining({ path: 'maxTokens' })],
  });
});

test('a turn request the conversation cannot take keeps its type; anything else is not a domain error', () => {
  expect(domainError(new TurnRequestError('invalid_action', 'There is no answer to continue.'))).toEqual({
    type: 'invalid_action',
    message: 'There is no answer to continue.',
  });
  expect(domainError(new TurnRequestError('not_found', 'No such turn.'))).toEqual({
    type: 'not_found',
    message: 'No such turn.',
  });
  expect(domainError(new Error('EACCES: permission denied'))).toBeNull();
  expect(domainError('a string')).toBeNull();
  // A look-alike with a `type` field is not taken for one.
  expect(domainError(Object.assign(new Error('x'), { type: 'not_found' }))).toBeNull();
});

test('the HTTP face: each domain failure gets its status; its own errors pass through; the rest are not its to answer', () => {
  const notFound = httpErrorOf(new NotFoundError('No conversation with id "x".'));
  expect(notFound).toMatchObject({
    status: 404,
    error: { type: 'not_found', message: 'No conversation with id "x".' },
  });
  expect(notFound?.error).not.toHaveProperty('issues');

  expect(
    httpErrorOf(new TurnRequestError('invalid_action', 'There is no answer to continue.')),
  ).toMatchObject({
    status: 409,
    error: { type: 'invalid_action' },
  });

  const issues = [{ path: 'maxTokens', message: 'Too small' }];
  expect(httpErrorOf(new InvalidSettingsError(issues))).toMatchObject({
    status: 400,
    error: { type: 'invalid_request', message: 'maxTokens: Too small', issues },
  });

  const own = new HttpError({ type: 'unauthorized', message: 'No token.' }, { 'WWW-Authenticate': 'Bearer' });
  expect(httpErrorOf(own)).toBe(own);
  expect(own.status).toBe(401);
  expect(httpErrorOf(new TypeError('undefined is not a function'))).toBeNull();
});

test('the HTTP status of every type the server sends', () => {
  const status = (type: ConstructorParameters<typeof HttpError>[0]['type']) =>
    new HttpError({ type, message: '' }).status;
  expect(
    (
      [
        'invalid_request',
        'invalid_action',
        'not_found',
        'method_not_allowed',
        'unsupported_media_type',
        'payload_too_large',
        'unauthorized',
        'forbidden_origin',
        'misdirected',
        'renderer_missing',
        'internal',
      ] as const
    ).map((t) => [t, status(t)]),
  ).toEqual([
    ['invalid_request', 400],
    ['invalid_action', 409],
    ['not_found', 404],
    ['method_not_allowed', 405],
    ['unsupported_media_type', 415],
    ['payload_too_large', 413],
    ['unauthorized', 401],
    ['forbidden_origin', 403],
    ['misdirected', 421],
    ['renderer_missing', 503],
    ['internal', 500],
  ]);
});

test('the browser client reads a refusal back as the same value, and a refused turn’s status as its type', async () => {
  const reply = (status: number, body: unknown) => async () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const issues = [{ path: 'title', message: 'The title is empty.' }];
  const refused = await createHttpClient({
    token: 't',
    fetch: reply(400, { error: { type: 'invalid_request', message: 'The rename is invalid.', issues } }),
  })
    .renameConversation('c', ' ')
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(HttpApiError);
  expect(refused).toMatchObject({
    type: 'invalid_request',
    message: 'The rename is invalid.',
    status: 400,
    issues,
  });

  const terminalType = async (status: number) => {
    const client = createHttpClient({
      token: 't',
      fetch: reply(status, { error: { type: 'internal', message: 'm' } }),
    });
    return (await client.startTurn({ action: 'send', conversationId: null, text: 'hi' }, () => {}).done)
      .error;
  };
  // Sluice's own 421 (its Host guard) reads as permission, as it always has in this client.
  expect(await terminalType(421)).toMatchObject({ type: 'permission', status: 421, retryable: false });
  expect(await terminalType(413)).toMatchObject({ type: 'request_too_large', retryable: false });
  expect(await terminalType(429)).toMatchObject({ type: 'rate_limited', retryable: false });
  expect(await terminalType(503)).toMatchObject({ type: 'api', retryable: true });
});
