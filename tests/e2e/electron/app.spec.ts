// The desktop app end to end: the built main process (out/main/index.js) launched in Electron,
// talking to the embedded simulated provider. Skips — with one line saying why — where no Electron
// runtime can be launched (no downloaded binary, a binary that cannot run, or no display).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import type { SluiceBridge } from '../../../src/shared/ipc';

/**
 * The page's globals as the callbacks below use them (this file is type-checked without DOM types;
 * page.evaluate callbacks run in the page, so each one casts globalThis itself).
 */
type Win = {
  sluice?: SluiceBridge;
  require?: unknown;
  process?: unknown;
  __inlineRan?: boolean;
  open(url: string): unknown;
  location: { href: string };
  document: { createElement(tag: 'script'): { textContent: string }; head: { append(node: unknown): void } };
};

const MAIN = fileURLToPath(new URL('../../../out/main/index.js', import.meta.url));
const SECRET = 'sk-ant-e2e-0123456789abcdef';

/**
 * The Electron binary, or why there is none to launch here. Resolved the way the electron package
 * does (path.txt, ELECTRON_OVERRIDE_DIST_PATH) but without its download-on-require fallback.
 */
function electronRuntime(): { binary: string } | { skip: string } {
  const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (!name && !override)
    return { skip: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing)' };
  const binary = override ? join(override, name ?? 'electron') : join(dir, 'dist', name ?? '');
  if (!existsSync(binary)) return { skip: `the Electron binary is missing at ${binary}` };
  const probe = spawnSync(binary, ['--version'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  if (probe.status !== 0) {
    return { skip: `the Electron binary does not run here (${probe.error?.message ?? probe.stderr.trim()})` };
  }
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return { skip: 'there is no display (run under xvfb-run)' };
  }
  return { binary };
}

const runtime = electronRuntime();
const SKIP = 'skip' in runtime ? `Desktop (Electron) tests skipped: ${runtime.skip}.` : null;
test.skip(SKIP !== null, SKIP ?? '');
if (SKIP) console.log(SKIP);

type Launched = { app: ElectronApplication; page: Page; dataDir: string; stdout: string[] };

async function launch(sim: { scenario?: string; ttftMs?: number; tpotMs?: number } = {}): Promise<Launched> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npx electron-vite build\` first.`);
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-electron-'));
  await writeFile(
    join(dataDir, 'settings.json'),
    JSON.stringify({ sim: { scenario: 'sim-text', ttftMs: 50, tpotMs: 15, ...sim } }),
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && k !== 'ANTHROPIC_API_KEY') env[k] = v;
  const app = await _electron.launch({
    executablePath: (runtime as { binary: string }).binary,
    args: [MAIN],
    env: { ...env, SLUICE_DATA_DIR: dataDir },
  });
  const stdout: string[] = [];
  app.process().stdout?.on('data', (chunk: Buffer) => stdout.push(...chunk.toString().split('\n')));
  const page = await app.firstWindow();
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return { app, page, dataDir, stdout };
}

let run: Launched | null = null;
test.afterEach(async () => {
  if (!run) return;
  await run.app.close();
  await rm(run.dataDir, { recursive: true, force: true });
  run = null;
});

const lastAnswer = (page: Page) => page.locator('[data-testid="message"][data-role="assistant"]').last();

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
}

test('a message streams in token by token; the page has only the bridge and cannot leave', async () => {
  run = await launch();
  const { page, app } = run;
  expect(page.url()).toMatch(/^sluice:\/\/app\//);
  await expect(page.getByTestId('provider-banner')).toContainText('Simulated provider');

  const exposure = await page.evaluate(() => {
    const w = globalThis as unknown as Win;
    return {
      require: typeof w.require,
      process: typeof w.process,
      bridge: Object.keys(w.sluice ?? {}).sort(),
    };
  });
  expect(exposure).toEqual({
    require: 'undefined',
    process: 'undefined',
    bridge: [
      'deleteConversation',
      'getConversation',
      'getSettings',
      'listConversations',
      'listModels',
      'renameConversation',
      'setApiKey',
      'startTurn',
      'updateSettings',
    ],
  });

  await send(page, 'Tell me about rivers');
  const answer = lastAnswer(page);
  const text = answer.getByTestId('assistant-text');
  await expect(answer).toHaveAttribute('data-outcome', 'streaming');
  await expect.poll(async () => (await text.innerText()).length).toBeGreaterThan(0);
  const early = (await text.innerText()).length;
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  expect((await text.innerText()).length).toBeGreaterThan(early);
  await expect(answer.getByTestId('metrics-footer')).toBeVisible();

  // The CSP refuses inline script; window.open is denied; navigation away is blocked.
  const inline = await page.evaluate(() => {
    const w = globalThis as unknown as Win;
    const s = w.document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    w.document.head.append(s);
    return w.__inlineRan ?? false;
  });
  expect(inline).toBe(false);
  expect(await page.evaluate(() => (globalThis as unknown as Win).open('about:blank') === null)).toBe(true);
  await page.evaluate(() => {
    (globalThis as unknown as Win).location.href = 'file:///etc/hostname';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toMatch(/^sluice:\/\/app\//);
  expect(app.windows()).toHaveLength(1);
});

test('Stop ends the answer as stopped, and the partial answer is kept', async () => {
  run = await launch({ tpotMs: 30 });
  const { page } = run;
  await send(page, 'Tell me about mountains');
  const answer = lastAnswer(page);
  const text = answer.getByTestId('assistant-text');
  await expect.poll(async () => (await text.innerText()).length).toBeGreaterThan(20);
  await page.getByTestId('stop').click();
  await expect(answer).toHaveAttribute('data-outcome', 'aborted');
  const shown = await text.innerText();

  await page.reload();
  await page.getByTestId('conversation-item').first().click();
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'aborted');
  expect(await lastAnswer(page).getByTestId('assistant-text').innerText()).toBe(shown);
});

test('reloading mid-stream re-attaches through a fresh port: the same conversation reopens and the answer completes', async () => {
  run = await launch({ tpotMs: 30 });
  const { page, stdout } = run;
  await send(page, 'Tell me about lakes');
  const text = lastAnswer(page).getByTestId('assistant-text');
  await expect.poll(async () => (await text.innerText()).length).toBeGreaterThan(20);
  await expect(page).toHaveURL(/#\/c\/[0-9a-f-]+$/);
  const address = page.url();
  await page.reload();
  await expect.poll(() => stdout.some((l) => /navigation: detached 1 live turn/.test(l))).toBe(true);
  expect(page.url()).toBe(address);
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  const shown = await lastAnswer(page).getByTestId('assistant-text').innerText();
  // What the reopened page shows after the end is the stored answer, whole.
  await page.reload();
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete');
  expect(await lastAnswer(page).getByTestId('assistant-text').innerText()).toBe(shown);
});

test('a tool turn shows the tool call, its result, and the answer', async () => {
  run = await launch({ scenario: 'sim-tool', tpotMs: 5 });
  const { page } = run;
  await send(page, 'What is 12 * 7?');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  const card = answer.locator('[data-testid="tool-card"][data-tool="calculator"]');
  await expect(card).toHaveAttribute('data-status', 'parsed');
  await expect(card.getByTestId('tool-result')).toContainText('84');
});

test('settings: the key goes to the main process; the page learns only that it is set', async () => {
  run = await launch();
  const { page, dataDir } = run;
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('key-status')).toHaveAttribute('data-key-set', 'false');
  await page.getByTestId('api-key-input').fill(SECRET);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByTestId('key-status')).toHaveAttribute('data-key-set', 'true');
  expect(await page.content()).not.toContain(SECRET);

  const view = await page.evaluate(() => (globalThis as unknown as Win).sluice!.getSettings());
  expect(JSON.stringify(view)).not.toContain(SECRET);
  if (!view.ok) throw new Error(view.error.message);
  const keyFile = join(dataDir, 'key.bin');
  if (view.value.keySource === 'stored') {
    expect((await readFile(keyFile)).toString('latin1')).not.toContain(SECRET);
  } else {
    // No OS encryption here: kept for this session only, said so, and nothing written.
    expect(view.value.keySource).toBe('session');
    expect(view.value.keyNote).toMatch(/session only/);
    expect(existsSync(keyFile)).toBe(false);
  }
});
