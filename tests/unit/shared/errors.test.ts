// The shared error value: zod issues as ApiIssues, a JSON reply read back into the value, and the
// one table from an HTTP status to a turn's error type (used by the provider adapter and the
// browser twin's client alike).
import { expect, test } from 'vitest';
import { ApiFailure, apiErrorFromReply, issuesOf, relayErrorTypeOf } from '../../../src/shared/errors';
import { DEFAULT_SETTINGS, RenameSchema, SettingsSchema } from '../../../src/shared/protocol';

test('an HTTP status means one error type for a turn', () => {
  const table: [number, string][] = [
    [400, 'invalid_request'],
    [401, 'auth'],
    [403, 'permission'],
    [404, 'not_found'],
    [405, 'invalid_request'],
    [409, 'invalid_request'],
    [413, 'request_too_large'],
    [415, 'invalid_request'],
    [421, 'invalid_request'],
    [429, 'rate_limited'],
    [499, 'invalid_request'],
    [500, 'api'],
    [502, 'api'],
    [503, 'api'],
    [529, 'overloaded'],
    [200, 'api'],
    [302, 'api'],
  ];
  expect(table.map(([status]) => [status, relayErrorTypeOf(status)])).toEqual(table);
});

test('zod issues become paths and sentences; an issue about the whole is named by the caller', () => {
  const rename = RenameSchema.safeParse({ title: '   ' });
  if (rename.success) throw new Error('an empty title passed');
  expect(issuesOf(rename.error, '(body)')).toEqual([{ path: 'title', message: 'The title is empty.' }]);

  const nested = SettingsSchema.safeParse({
    ...DEFAULT_SETTINGS,
    sim: { ...DEFAULT_SETTINGS.sim, scenario: 'sim-nope' },
  });
  if (nested.success) throw new Error('an unknown scenario passed');
  expect(issuesOf(nested.error, '(settings)').map((i) => i.path)).toContain('sim.scenario');

  const whole = RenameSchema.safeParse('not an object');
  if (whole.success) throw new Error('a string passed');
  expect(issuesOf(whole.error, '(payload)').map((i) => i.path)).toEqual(['(payload)']);
});

test('a JSON reply of Sluice’s own reads back as the same value', () => {
  const error = {
    type: 'invalid_request',
    message: 'The rename is invalid: title: The title is empty.',
    issues: [{ path: 'title', message: 'The title is empty.' }],
  };
  expect(apiErrorFromReply({ error }, 'fallback')).toEqual(error);
  expect(
    apiErrorFromReply({ error: { type: 'not_found', message: 'No conversation.' } }, 'fallback'),
  ).toEqual({
    type: 'not_found',
    message: 'No conversation.',
  });
});

test('anything else is an http error with the fallback sentence, and malformed issues are dropped', () => {
  expect(apiErrorFromReply(null, 'Sluice answered HTTP 502.')).toEqual({
    type: 'http',
    message: 'Sluice answered HTTP 502.',
  });
  // An upstream's own error JSON (Anthropic-shaped) is not one of Sluice's types.
  expect(
    apiErrorFromReply({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'x'),
  ).toEqual({ type: 'http', message: 'Overloaded' });
  expect(
    apiErrorFromReply(
      {
        error: {
          type: 'invalid_settings',
          issues: [{ path: 'maxTokens', message: 'Too small' }, { path: 3 }, 'x'],
        },
      },
      'Sluice answered HTTP 400.',
    ),
  ).toEqual({
    type: 'invalid_settings',
    message: 'Sluice answered HTTP 400.',
    issues: [{ path: 'maxTokens', message: 'Too small' }],
  });
});

test('an ApiFailure is an Error carrying the value, with issues always a list', () => {
  const bare = new ApiFailure({ type: 'not_found', message: 'No conversation with id "x".' });
  expect(bare).toBeInstanceOf(Error);
  expect(bare).toMatchObject({ type: 'not_found', message: 'No conversation with id "x".', issues: [] });
  const issues = [{ path: 'title', message: 'The title is empty.' }];
  expect(new ApiFailure({ type: 'invalid_request', message: 'Bad.', issues }).issues).toEqual(issues);
});
