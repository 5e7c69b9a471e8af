// Not part of `npm run bench`: where the renderer's time goes while the long conversation scrolls.
//   npx tsx bench/profile-long-conversation.ts [--trace-only] [--css='<extra CSS>']
// Builds the renderer unminified (React in production mode, readable function names) into
// bench/out/, opens the long-conversation benchmark's conversation as it does and scrolls it from
// the bottom to the top: once under the CDP sampling profiler (JS by function), once under a
// devtools.timeline trace (native work by event), each in a fresh page.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { INIT_SCRIPT, LONG, open, scrollToTop, SHORT, writeConversations } from './long-conversation';
import { startBenchServe } from './lib/serve-face';
import { startBenchSim } from './lib/sim';
import { buildProfileRenderer } from './profile/build';
import { describeProfile, type Profile } from './profile/cpu-profile';
import { describeTrace, TRACE_CATEGORIES } from './profile/trace';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const LONG_TASK_MS = 50;
const MESSAGES = 300;
const FRAMES = 300;
const args = process.argv.slice(2);
const TRACE_ONLY = args.includes('--trace-only');
const EXTRA_CSS = args.find((a) => a.startsWith('--css='))?.slice('--css='.length) ?? null;

/** A fresh page on the conversation, opened as the benchmark opens it and left to settle. */
async function opened(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    bypassCSP: EXTRA_CSS !== null,
  });
  await context.addInitScript({ content: INIT_SCRIPT });
  const page = await context.newPage();
  await page.goto(url);
  if (EXTRA_CSS) await page.addStyleTag({ content: EXTRA_CSS });
  await page.locator(`[data-testid="conversation-item"][data-id="${LONG}"]`).waitFor();
  await open(page, LONG, MESSAGES);
  await open(page, SHORT, 2);
  await open(page, LONG, MESSAGES);
  await page.waitForTimeout(1500);
  return page;
}

async function main(): Promise<void> {
  const staticDir = await buildProfileRenderer(ROOT);
  await mkdir(OUT, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-profile-long-'));
  const { chars, codeBlocks } = await writeConversations(dataDir, { messages: MESSAGES, answerChars: 9700 });
  const sim = await startBenchSim();
  const serve = await startBenchServe({ simUrl: sim.url, staticDir, settings: {}, dataDir });
  const browser = await chromium.launch({
    executablePath: process.env['SLUICE_CHROMIUM'] ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const out = [
    `${MESSAGES} messages, ${chars} characters, ${codeBlocks} code blocks; scrolled bottom → top in ${FRAMES} steps${EXTRA_CSS ? `, extra CSS: ${EXTRA_CSS}` : ''}`,
    '',
  ];
  try {
    if (!TRACE_ONLY) {
      const page = await opened(browser, serve.server.url);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
      const scroll = await scrollToTop(page, FRAMES);
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
      const file = join(OUT, 'long-conversation.cpuprofile');
      await writeFile(file, JSON.stringify(profile));
      out.push(
        `Profiled scroll: ${scroll.fps.toFixed(1)} fps, ${scroll.longTasks} long tasks (longest ${scroll.longestMs.toFixed(0)} ms)`,
        `(${file})`,
        ...describeProfile(profile, LONG_TASK_MS),
        '',
      );
      await page.context().close();
    }
    const page = await opened(browser, serve.server.url);
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    const scroll = await scrollToTop(page, FRAMES);
    const trace = (await browser.stopTracing()).toString('utf8');
    const file = join(OUT, 'long-conversation.trace.json');
    await writeFile(file, trace);
    out.push(
      `Traced scroll: ${scroll.fps.toFixed(1)} fps, ${scroll.longTasks} long tasks (longest ${scroll.longestMs.toFixed(0)} ms)`,
      `(${file})`,
      ...describeTrace(trace, LONG_TASK_MS),
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await browser.close();
    await serve.close();
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
