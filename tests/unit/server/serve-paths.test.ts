// The small decisions behind `sluice serve`: where data lives, which file a URL names, when the
// renderer must be rebuilt.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { defaultDataDir } from '../../../src/main/store/data-dir';
import { rendererBuildState } from '../../../src/main/server/renderer-build';
import { resolveStaticPath } from '../../../src/main/server/static';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

test('the default data directory follows each platform’s convention', () => {
  expect(defaultDataDir('linux', {}, '/home/ada')).toBe('/home/ada/.local/share/sluice');
  expect(defaultDataDir('linux', { XDG_DATA_HOME: '/data' }, '/home/ada')).toBe('/data/sluice');
  expect(defaultDataDir('darwin', {}, '/Users/ada')).toBe('/Users/ada/Library/Application Support/Sluice');
  expect(defaultDataDir('win32', { APPDATA: '/roaming' }, '/users/ada')).toBe(join('/roaming', 'Sluice'));
});

test('a URL path resolves inside the root or to nothing', () => {
  const root = '/srv/renderer';
  expect(resolveStaticPath(root, '/')).toBe('/srv/renderer/index.html');
  expect(resolveStaticPath(root, '/assets/app-1.js')).toBe('/srv/renderer/assets/app-1.js');
  expect(resolveStaticPath(root, '/assets/a%20b.css')).toBe('/srv/renderer/assets/a b.css');
  for (const bad of [
    '/../secret',
    '/assets/../../secret',
    '/%2e%2e/secret',
    '/a/..%2f..%2fsecret',
    '/..%5csecret',
    '/x%00.js',
    '/%E0%A4%A',
    '/.',
  ]) {
    expect(resolveStaticPath(root, bad), bad).toBeNull();
  }
});

test('the renderer build is missing, stale when a source is newer, else fresh', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-build-'));
  dirs.push(root);
  await mkdir(join(root, 'src/renderer/src'), { recursive: true });
  await mkdir(join(root, 'src/shared'), { recursive: true });
  await writeFile(join(root, 'src/renderer/src/main.tsx'), 'x');
  await writeFile(join(root, 'src/shared/protocol.ts'), 'x');
  expect(await rendererBuildState(root)).toEqual({ state: 'missing' });

  await mkdir(join(root, 'out/renderer'), { recursive: true });
  await writeFile(join(root, 'out/renderer/index.html'), '<!doctype html>');
  const past = new Date(Date.now() - 60_000);
  const now = new Date();
  await utimes(join(root, 'src/renderer/src/main.tsx'), past, past);
  await utimes(join(root, 'src/shared/protocol.ts'), past, past);
  await utimes(join(root, 'out/renderer/index.html'), now, now);
  expect(await rendererBuildState(root)).toEqual({ state: 'fresh' });

  const later = new Date(Date.now() + 60_000);
  await utimes(join(root, 'src/shared/protocol.ts'), later, later);
  expect(await rendererBuildState(root)).toEqual({ state: 'stale', newer: 'src/shared' });
});
