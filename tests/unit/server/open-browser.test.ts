// --open hands the URL to the system's opener, except when BROWSER=none says not to; a failure to
// open is a note for the user, never a crash.
import type * as childProcess from 'node:child_process';
import { spawn } from 'node:child_process';
import { afterEach, expect, test, vi } from 'vitest';
import { openInBrowser } from '../../../src/main/server/open-browser';

vi.mock('node:child_process', async (original) => {
  const actual = await original<typeof childProcess>();
  return { ...actual, spawn: vi.fn(actual.spawn) };
});

afterEach(() => vi.mocked(spawn).mockClear());

test('BROWSER=none: no opener is started and there is nothing to say', async () => {
  expect(await openInBrowser('http://127.0.0.1:1/?token=t', 'linux', { BROWSER: 'none' })).toBeNull();
  expect(await openInBrowser('http://127.0.0.1:1/?token=t', 'darwin', { BROWSER: 'None' })).toBeNull();
  expect(spawn).not.toHaveBeenCalled();
});

test('an opener that cannot be started is a note to open the URL yourself', async () => {
  vi.mocked(spawn).mockImplementationOnce(() => {
    throw new Error('spawn xdg-open ENOENT');
  });
  expect(await openInBrowser('http://127.0.0.1:1/?token=t', 'linux', {})).toBe(
    'Could not open a browser (spawn xdg-open ENOENT); open the URL yourself.',
  );
  expect(spawn).toHaveBeenCalledWith('xdg-open', ['http://127.0.0.1:1/?token=t'], expect.anything());
});
