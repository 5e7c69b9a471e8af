// The browser suite's fixture: per test, the real `sluice serve` stack in this process (server,
// ChatService, embedded simulated provider, a temp data directory) with settings for the scenario
// under test, serving the real built renderer; everything it started is closed after the test.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startTestServe, type TestServe, type TestServeOptions } from '../../support/serve';
import { CI_FAILURE, chromiumMissing, inCi, SKIP_LINE } from './chromium';
import { ensureRenderer, REPO_ROOT } from './renderer';

export { expect };

// Said once, by the worker: the runner process loads this file too, only to list the tests.
if (chromiumMissing && !inCi && process.env['TEST_WORKER_INDEX'] !== undefined) console.log(SKIP_LINE);

export type WebApp = TestServe & {
  /** Opens the page with the access token in its URL and waits for the composer. */
  open(page: Page): Promise<void>;
};

type Fixtures = {
  requireChromium: void;
  /** Starts a stack; it is closed when the test ends. Call it once per test, or more for several. */
  sluice: (opts?: Omit<TestServeOptions, 'staticDir'>) => Promise<WebApp>;
  /** Closers for anything else a test starts (a raw upstream), run after the stack is closed. */
  cleanup: (close: () => Promise<void>) => void;
};

/**
 * Every copy the page makes, instead of the system clipboard (which headless Chromium may refuse):
 * the Copy button hands out an answer's raw markdown, exactly as the page holds it.
 */
function stubClipboard() {
  const w = globalThis as unknown as { __copied: string[]; navigator: object };
  w.__copied = [];
  Object.defineProperty(w.navigator, 'clipboard', {
    configurable: true,
    value: {
      writeText: (text: string) => {
        w.__copied.push(text);
        return Promise.resolve();
      },
    },
  });
}

/** Opens the page of a running stack with the access token in its URL and waits for the composer. */
export async function openApp(page: Page, ts: TestServe): Promise<void> {
  await page.addInitScript(stubClipboard);
  await page.goto(ts.server.url);
  await expect(page.getByTestId('composer-input')).toBeVisible();
}

export const test = base.extend<Fixtures, { rendererDir: string }>({
  rendererDir: [async ({}, use) => use(await ensureRenderer()), { scope: 'worker', timeout: 240_000 }],

  requireChromium: [
    async ({}, use, testInfo) => {
      if (chromiumMissing) {
        if (inCi) throw new Error(CI_FAILURE);
        testInfo.skip(true, SKIP_LINE);
      }
      await use();
    },
    { auto: true },
  ],

  cleanup: async ({}, use) => {
    const closers: (() => Promise<void>)[] = [];
    await use((close) => closers.push(close));
    for (const close of closers.reverse()) await close();
  },

  sluice: async ({ rendererDir, cleanup }, use) => {
    await use(async (opts = {}) => {
      const ts = await startTestServe({ ...opts, staticDir: rendererDir });
      cleanup(() => ts.close());
      return {
        ...ts,
        open: (page) => openApp(page, ts),
      };
    });
  },
});

/** Saves a screenshot into the test's output and into test-results/screenshots/<name>.png. */
export async function snap(page: Page, name: string): Promise<void> {
  const stable = join(REPO_ROOT, 'test-results', 'screenshots', `${name}.png`);
  await mkdir(dirname(stable), { recursive: true });
  const shot = await page.screenshot({ path: test.info().outputPath(`${name}.png`), animations: 'disabled' });
  await writeFile(stable, shot);
}
