// Not part of `npm run bench`: where the renderer's time goes while a long answer streams.
//   npx tsx bench/profile-rendering.ts [tokens=50000] [--rate=2000] [--trace-only] [--scroll-up] [--css='<extra CSS>'] [--page=sluice|streamdown|naive]
// Builds the renderer unminified (React in production mode, readable function names) into
// bench/out/, then streams answers as the rendering benchmark does: one under the CDP sampling
// profiler (JS by function), one under a devtools.timeline trace (native work by event).
// --css injects a style sheet into the page first: an A/B experiment without touching the app.
// --page profiles the benchmark's page (bench/page/, minified as the benchmark builds it) with one
// renderer instead of the whole app (--scroll-up is the app's only).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startBenchServe } from './lib/serve-face';
import { startBenchSim } from './lib/sim';
import { startUpstreamProxy } from './lib/upstream-proxy';
import { buildBenchPage } from './lib/page-build';
import { RENDERERS, type RendererId } from './lib/page-protocol';
import { buildProfileRenderer } from './profile/build';
import { describeProfile, type Profile } from './profile/cpu-profile';
import { describeTrace, TRACE_CATEGORIES } from './profile/trace';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const LONG_TASK_MS = 50;
const args = process.argv.slice(2);
const TOKENS = Number(args.find((a) => /^\d+$/.test(a)) ?? 50_000);
const TRACE_ONLY = args.includes('--trace-only');
/** Tokens per second. */
const RATE = Number(args.find((a) => a.startsWith('--rate='))?.slice('--rate='.length) ?? 2000);
const EXTRA_CSS = args.find((a) => a.startsWith('--css='))?.slice('--css='.length) ?? null;
/** The reader scrolls up once the answer has begun: the view stops following the stream. */
const SCROLL_UP = args.includes('--scroll-up');
const PAGE = args.find((a) => a.startsWith('--page='))?.slice('--page='.length) ?? null;
const PROMPT = 'Explain how a token stream reaches the screen';

async function main(): Promise<void> {
  const renderer = RENDERERS.find((r) => r === PAGE) ?? null;
  if (PAGE !== null && renderer === null) throw new Error(`--page takes one of ${RENDERERS.join(', ')}`);
  const staticDir = renderer ? await buildBenchPage(ROOT) : await buildProfileRenderer(ROOT);
  await mkdir(OUT, { recursive: true });
  const sim = await startBenchSim();
  sim.keepWrites = false;
  const proxy = await startUpstreamProxy(sim.url, { tokens: 3000, deltasPerSecond: 2000 });
  const serve = await startBenchServe({
    simUrl: sim.url,
    staticDir,
    settings: {},
    routeBaseURL: () => Promise.resolve(proxy.url),
  });
  await serve.patchSettings({ sim: { scenario: 'sim-text', ttftMs: 300, tpotMs: 0 }, maxTokens: 128_000 });
  const browser = await chromium.launch({
    executablePath: process.env['SLUICE_CHROMIUM'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    // The app's CSP forbids inline styles; an experiment's style sheet needs it lifted.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      bypassCSP: EXTRA_CSS !== null,
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await page.goto(renderer ? `${serve.server.url}&renderer=${renderer}` : serve.server.url);
    if (EXTRA_CSS) await page.addStyleTag({ content: EXTRA_CSS });
    const askPage = async (which: RendererId) => {
      await page.waitForFunction('window.__sluicePage !== undefined');
      process.stderr.write(`bench page, ${which}\n`);
      // As the benchmark: the last answer leaves the page before this one.
      await page.evaluate('window.__sluicePage.clear()');
      await page.evaluate(`window.__sluicePage.start(${JSON.stringify(PROMPT)})`);
      await page.waitForTimeout(300);
    };
    const askApp = async () => {
      await page.getByTestId('new-chat').click();
      await page.getByTestId('composer-input').fill(PROMPT);
      await page.getByTestId('composer-input').press('Enter');
      if (SCROLL_UP) {
        await page.locator('[data-testid="assistant-text"]').first().waitFor({ state: 'attached' });
        await page.waitForTimeout(1500);
        await page.getByTestId('message-list').hover();
        await page.mouse.wheel(0, -600);
      }
      await page
        .locator('[data-testid="message"][data-role="assistant"]:not([data-outcome="streaming"])')
        .first()
        .waitFor({ state: 'attached', timeout: 240_000 });
      await page.waitForTimeout(300);
    };
    const ask = () => (renderer ? askPage(renderer) : askApp());
    await ask(); // warm-up: the highlighter and its grammars are loaded
    proxy.plan = { tokens: TOKENS, deltasPerSecond: RATE };
    const out: string[] = [
      `${TOKENS} tokens at ${RATE}/s${renderer ? `, bench page: ${renderer}` : ', the whole app'}${EXTRA_CSS ? `, extra CSS: ${EXTRA_CSS}` : ''}`,
      '',
    ];

    if (!TRACE_ONLY) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
      process.stderr.write(`streaming ${TOKENS} tokens with the CPU profiler on\n`);
      await ask();
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
      const file = join(OUT, `rendering-${renderer ?? 'app'}-${TOKENS}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      out.push(`(${file})`, ...describeProfile(profile, LONG_TASK_MS), '');
    }

    process.stderr.write(`streaming ${TOKENS} tokens under a trace\n`);
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    await ask();
    const trace = (await browser.stopTracing()).toString('utf8');
    const file = join(OUT, `rendering-${renderer ?? 'app'}-${TOKENS}.trace.json`);
    await writeFile(file, trace);
    out.push(`(${file})`, ...describeTrace(trace, LONG_TASK_MS));
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await browser.close();
    await serve.close();
    await proxy.close();
    await sim.close();
  }
}

await main();
