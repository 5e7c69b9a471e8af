// 11. A long conversation (issue 15 §2): one generated conversation of 300 messages, ~1.5 M
// characters, half of each answer code, opened from the sidebar of `sluice serve` in Chromium.
// Measured: click → first paint of the conversation, click → every message in the page, long
// tasks while opening; a scroll from the bottom to the top, a step per frame (frames per second,
// long tasks); the page's JS heap after a GC and its DOM nodes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { textOf } from '../src/shared/accumulate';
import { spawnServe, type Served } from '../tests/support/serve-process';
import { generateConversation } from '../tests/support/generate';
import { check, info, mb, ms, progress, type BenchResult } from './lib/result';
import { median, seeded } from './lib/stats';

export type LongConversationConfig = {
  messages: number;
  answerChars: number;
  opens: number;
  scrollFrames: number;
  heapBoundMb: number;
  chromiumPath: string;
};

export const LONG = 'long-300';
export const SHORT = 'short-2';

/** The long conversation and a short one, written into `dataDir` as the store keeps them. */
export async function writeConversations(
  dataDir: string,
  cfg: Pick<LongConversationConfig, 'messages' | 'answerChars'>,
): Promise<{ chars: number; codeBlocks: number }> {
  let chars = 0;
  let codeBlocks = 0;
  const rng = seeded(15);
  const now = Date.parse('2026-11-30T12:00:00Z');
  const long = generateConversation(rng, {
    id: LONG,
    title: 'A long conversation',
    messages: cfg.messages,
    userChars: 300,
    answerChars: cfg.answerChars,
    codeShare: 0.5,
    updatedAt: now,
  });
  const short = generateConversation(rng, {
    id: SHORT,
    title: 'A short one',
    messages: 2,
    userChars: 100,
    answerChars: 300,
    codeShare: 0,
    updatedAt: now - 1000,
  });
  for (const m of long.messages) {
    const text = m.role === 'user' ? m.text : m.steps.map((s) => textOf(s.message)).join('');
    chars += text.length;
    codeBlocks += (text.match(/```ts/g) ?? []).length;
  }
  await mkdir(join(dataDir, 'conversations'), { recursive: true });
  for (const c of [long, short])
    await writeFile(join(dataDir, 'conversations', `${c.id}.json`), JSON.stringify(c));
  return { chars, codeBlocks };
}

// In the page before its scripts: long tasks, and a frame counter that runs when asked.
export const INIT_SCRIPT = `(() => {
  const b = { longTasks: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  b.since = (t) => b.longTasks.filter((x) => x.start >= t);
  window.__sluiceLong = b;
})();`;

type Open = { firstPaintMs: number; rows: number; longTasks: number; longestMs: number };
type Scroll = {
  frames: number;
  elapsedMs: number;
  fps: number;
  longTasks: number;
  longestMs: number;
  px: number;
};

/**
 * Clicks a conversation in the sidebar: ms until a frame after its last message is in the page,
 * the rows then in the page, and the long tasks of the second after the click.
 */
export function open(page: Page, id: string, messages: number): Promise<Open> {
  return page.evaluate<Open>(`(async () => {
    const t0 = performance.now();
    const list = document.querySelector('[data-testid="message-list"]');
    document.querySelector('[data-testid="conversation-item"][data-id="${id}"] .conversation-open').click();
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    while (!list.querySelector('.message-row[data-index="${messages - 1}"] [data-testid="message"]')) await frame();
    await frame();
    const firstPaintMs = performance.now() - t0;
    const rows = list.querySelectorAll('[data-testid="message"]').length;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (performance.now() - t0))));
    const tasks = window.__sluiceLong.since(t0);
    return { firstPaintMs, rows, longTasks: tasks.length, longestMs: Math.max(0, ...tasks.map((t) => t.duration)) };
  })()`);
}

/** From the bottom to the top of the message list in `frames` equal steps, one per frame. */
export function scrollToTop(page: Page, frames: number): Promise<Scroll> {
  return page.evaluate<Scroll>(`(async () => {
    const el = document.querySelector('[data-testid="message-list"]');
    el.scrollTop = el.scrollHeight;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const px = el.scrollHeight - el.clientHeight;
    const step = px / ${frames};
    const t0 = performance.now();
    let n = 0;
    await new Promise((resolve) => {
      const tick = () => {
        n += 1;
        el.scrollTop = Math.max(0, el.scrollHeight - el.clientHeight - step * n);
        if (el.scrollTop <= 0 || n >= ${frames} * 3) resolve();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const elapsedMs = performance.now() - t0;
    const tasks = window.__sluiceLong.since(t0);
    return { frames: n, elapsedMs, fps: n / (elapsedMs / 1000), longTasks: tasks.length, longestMs: Math.max(0, ...tasks.map((t) => t.duration)), px };
  })()`);
}

async function memory(cdp: CDPSession): Promise<{ heapBytes: number; nodes: number }> {
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  return { heapBytes: heap.usedSize, nodes: dom.nodes };
}

export async function longConversation(cfg: LongConversationConfig): Promise<BenchResult> {
  const began = performance.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-bench-long-'));
  let browser: Browser | null = null;
  let served: Served | null = null;
  const opens: Open[] = [];
  let scroll: Scroll = { frames: 0, elapsedMs: 0, fps: 0, longTasks: 0, longestMs: 0, px: 0 };
  let mem = { heapBytes: 0, nodes: 0 };
  let chars = 0;
  let codeBlocks = 0;
  let version = '';
  try {
    ({ chars, codeBlocks } = await writeConversations(dataDir, cfg));
    progress('long', `${cfg.messages} messages, ${chars} characters, ${codeBlocks} code blocks`);

    served = await spawnServe(dataDir);
    browser = await chromium.launch({ executablePath: cfg.chromiumPath, args: CHROMIUM_ARGS });
    version = browser.version();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript({ content: INIT_SCRIPT });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await page.goto(`http://127.0.0.1:${served.port}/?token=${served.token}`);
    await page.locator(`[data-testid="conversation-item"][data-id="${LONG}"]`).waitFor();
    // Warm-up, discarded: the highlighter and the grammar load, the file is read once.
    await open(page, LONG, cfg.messages);
    await open(page, SHORT, 2);
    for (let i = 0; i < cfg.opens; i++) {
      const o = await open(page, LONG, cfg.messages);
      opens.push(o);
      progress(
        'long',
        `open ${i + 1}: first paint ${Math.round(o.firstPaintMs)} ms, ${o.rows} rows in the page, ${o.longTasks} long tasks (max ${Math.round(o.longestMs)} ms)`,
      );
      if (i < cfg.opens - 1) await open(page, SHORT, 2);
    }
    // Highlighting settles after the first paint; the scroll measures the page as a reader finds it.
    await page.waitForTimeout(1500);
    scroll = await scrollToTop(page, cfg.scrollFrames);
    progress(
      'long',
      `scroll: ${scroll.fps.toFixed(0)} fps over ${Math.round(scroll.px)} px, ${scroll.longTasks} long tasks (max ${Math.round(scroll.longestMs)} ms)`,
    );
    mem = await memory(cdp);
    await context.close();
  } finally {
    await served?.stop();
    await browser?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  const firstPaint = median(opens.map((o) => o.firstPaintMs));
  const openLong = Math.max(0, ...opens.map((o) => o.longTasks));
  const fps = scroll.fps;
  const heapMb = mem.heapBytes / 1024 / 1024;
  const rows = [
    check(
      `Opened from the sidebar → first paint (median of ${opens.length})`,
      ms(firstPaint, 0),
      '< 300 ms',
      firstPaint < 300,
    ),
    info(
      'Messages in the page once opened (of all in the conversation)',
      `${opens[0]?.rows ?? 0} of ${cfg.messages}`,
    ),
    info(
      'Long tasks in the second after the click (per open, worst) · the longest',
      `${openLong} · ${ms(Math.max(0, ...opens.map((o) => o.longestMs)), 0)}`,
    ),
    check(
      `Scroll bottom → top, ${Math.round(scroll.px)} px in ${scroll.frames} steps: frames per second`,
      `${fps.toFixed(1)} fps`,
      '≥ 55 fps',
      fps >= 55,
    ),
    check(
      'Long tasks while scrolling',
      scroll.longTasks > 0 ? `${scroll.longTasks} (longest ${ms(scroll.longestMs, 0)})` : 'none',
      'none',
      scroll.longTasks === 0,
    ),
    check(
      'Page JS heap after a GC · DOM nodes',
      `${mb(mem.heapBytes)} · ${mem.nodes}`,
      `heap ≤ ${cfg.heapBoundMb} MB`,
      heapMb <= cfg.heapBoundMb,
    ),
  ];
  return {
    id: 'long-conversation',
    title: '11. A long conversation (Chromium, sluice serve)',
    rows,
    notes: [
      `One generated conversation (tests/support/generate.ts, seeded): ${cfg.messages} messages, ${chars} characters, ${codeBlocks} TypeScript code blocks (half of each answer is code). \`sluice serve\` as a child process; Chromium ${version} headless, 1280×900; one discarded open first (highlighter and grammar loaded), then ${cfg.opens} opens with a short conversation in between.`,
      "First paint: the click until a frame after the conversation's last message is in the page (it opens at the bottom). The scroll moves the message list from its bottom to its top in equal steps, one per requestAnimationFrame; fps = frames / elapsed; long tasks from a PerformanceObserver. Heap: CDP HeapProfiler.collectGarbage then Runtime.getHeapUsage; DOM nodes: Memory.getDOMCounters.",
    ],
    data: { config: cfg, chars, codeBlocks, opens, scroll, memory: mem },
    seconds: (performance.now() - began) / 1000,
  };
}
