// `npm run lint`'s Electron audit (scripts/electronegativity.mjs) fails on a finding nobody
// justified, names it by file, line and check, and lets a finding justified on its own line pass.
// Offline: the tool's network look-ups fail quietly and the audit still runs.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/electronegativity.mjs', import.meta.url));
let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

test('an unjustified finding fails the audit and is named; a justified one is not', async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-eng-'));
  await writeFile(
    join(dir, 'window.js'),
    [
      "const { BrowserWindow, shell } = require('electron');",
      'const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });',
      "shell.openExternal('https://example.com'); // eng-disable OPEN_EXTERNAL_JS_CHECK",
      '',
    ].join('\n'),
  );
  const run = promisify(execFile)(process.execPath, [SCRIPT, dir], { cwd: dir, timeout: 60_000 });
  const failure = await run.then(
    () => null,
    (err: unknown) => err as { code: number; stderr: string },
  );
  expect(failure?.code).toBe(1);
  expect(failure?.stderr).toMatch(/window\.js:2:\d+\s+NODE_INTEGRATION_JS_CHECK/);
  expect(failure?.stderr).toMatch(/CONTEXT_ISOLATION_JS_CHECK/);
  expect(failure?.stderr).not.toMatch(/OPEN_EXTERNAL_JS_CHECK/);
  expect(failure?.stderr).toMatch(/unjustified finding\(s\)\. Fix each, or justify it on its line/);
}, 60_000);
