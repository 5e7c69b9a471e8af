// 5. Rendering in a real browser: Chromium (Debian's, driven by Playwright) against `sluice serve`
// with the built renderer. A person types in the composer and presses Enter; a long markdown
// answer with code blocks streams at ~2,000 tokens/s; we record long tasks, total scripting time
// (CDP Performance.getMetrics) and frames per second, for a 10k- and a 50k-token answer.
import { CHROMIUM_ARGS } from '../playwright.config';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { check, info, ms, progress, type BenchResult } from './lib/result';
import { startBenchServe, type BenchServe } from './lib/serve-face';
import type { BenchSim } from './lib/sim';
import { median } from './lib/stats';
import { startUpstreamProxy, type UpstreamProxy } from './lib/upstream-proxy';

export type RenderingConfig = {
  sizes: number[];
  rounds: number;
  deltasPerSecond: number;
  ttftMs: number;
  staticDir: string;
  chromiumPath: string;
};

// Runs in the page before its own scripts: long tasks and a frame counter, reset at Enter.
const INIT_SCRIPT = `(() => {
  const b = { longTasks: [], frames: 0, t0: performance.now(), endedAt: null };
  b.reset = () => { b.longTasks = []; b.frames = 0; b.t0 = performance.now(); b.endedAt = null; };
  b.snapshot = () => ({ longTasks: b.longTasks, frames: b.frames, elapsedMs: performance.now() - b.t0, endedAt: b.endedAt });
  // When the answer's outcome is first set: long tasks after it belong to the answer settling.
  new MutationObserver((records) => {
    if (b.endedAt !== null) return;
    for (const r of records) {
      const el = r.target;
      if (el.getAttribute('data-role') === 'assistant' && el.getAttribute('data-outcome') !== 'streaming') {
        b.endedAt = performance.now() - b.t0;
        return;
      }
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-outcome'] });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime - b.t0, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const tick = () => { b.frames += 1; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  window.__sluiceBench = b;
})();`;

const PROMPT = 'Explain how a token stream reaches the screen';
/** Long enough to hold a TypeScript and a bash block: both grammars are loaded before measuring. */
const WARM_UP_TOKENS = 3000;

type Snapshot = {
  longTasks: { start: number; duration: number }[];
  frames: number;
  elapsedMs: number;
  endedAt: number | null;
};

export type RenderRun = {
  tokens: number;
  outcome: string | null;
  outputTokens: number | null;
  scriptingMs: number;
  taskMs: number;
  layoutMs: number;
  styleMs: number;
  longTasks: number;
  longestTaskMs: number;
  /** Long tasks that started before the answer's outcome was set, and the longest of them. */
  streamingLongTasks: number;
  streamingLongestMs: number;
  /** The longest task from the outcome on (the answer settling: final render, highlighting). */
  endLongestMs: number;
  /** ms after Enter when the answer's outcome was set. */
  endedAtMs: number | null;
  /** Each long task: ms after Enter, and its duration. */
  longTaskList: { start: number; duration: number }[];
  fps: number;
  elapsedMs: number;
  realDeltasPerSecond: number;
};

async function metrics(cdp: {
  send(m: 'Performance.getMetrics'): Promise<{ metrics: { name: string; value: number }[] }>;
}) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const get = (name: string) => (list.find((m) => m.name === name)?.value ?? 0) * 1000;
  return {
    script: get('ScriptDuration'),
    task: get('TaskDuration'),
    layout: get('LayoutDuration'),
    style: get('RecalcStyleDuration'),
  };
}

type Session = { page: Page; cdp: CDPSession; close(): Promise<void> };

/** One page for the whole benchmark, as a person keeps the app open: caches and the highlighter stay warm. */
async function openSession(browser: Browser, serve: BenchServe): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript({ content: INIT_SCRIPT });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(serve.server.url);
  return { page, cdp, close: () => context.close() };
}

async function renderOnce(session: Session, proxy: UpstreamProxy, tokens: number): Promise<RenderRun> {
  const { page, cdp } = session;
  proxy.plan = { ...proxy.plan, tokens };
  // A new conversation each time: only this answer is on screen.
  await page.getByTestId('new-chat').click();
  const composer = page.getByTestId('composer-input');
  await composer.waitFor({ state: 'visible' });
  // One prompt for every size: the same seed, so a longer answer starts with the shorter one.
  await composer.pressSequentially(PROMPT);
  const pacedBefore = proxy.paced.length;
  await page.evaluate('window.__sluiceBench.reset()');
  const before = await metrics(cdp);
  await composer.press('Enter');
  const answers = page.locator('[data-testid="message"][data-role="assistant"]');
  await answers.first().waitFor({ state: 'attached' });
  // Polled once a second: Playwright's locator waits query the whole document on every animation
  // frame, and that work would land in the page's scripting time, growing with the answer.
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
        '[data-testid="message"][data-role="assistant"]:not([data-outcome="streaming"])',
      ) !== null,
    undefined,
    { polling: 1000, timeout: 240_000 },
  );
  // Let the final render (settled code blocks, highlighting) land in the numbers too.
  await page.waitForTimeout(300);
  const after = await metrics(cdp);
  const snap = await page.evaluate<Snapshot>('window.__sluiceBench.snapshot()');
  const outcome = await answers.first().getAttribute('data-outcome');
  const footer = page.getByTestId('metrics-footer').first();
  const output = (await footer.count()) > 0 ? await footer.getAttribute('data-output-tokens') : null;
  const paced = proxy.paced.slice(pacedBefore).at(-1);
  const endedAt = snap.endedAt ?? snap.elapsedMs;
  const during = snap.longTasks.filter((t) => t.start < endedAt);
  return {
    tokens,
    outcome,
    outputTokens: output === null ? null : Number(output),
    scriptingMs: after.script - before.script,
    taskMs: after.task - before.task,
    layoutMs: after.layout - before.layout,
    styleMs: after.style - before.style,
    longTasks: snap.longTasks.length,
    longestTaskMs: Math.max(0, ...snap.longTasks.map((t) => t.duration)),
    streamingLongTasks: during.length,
    streamingLongestMs: Math.max(0, ...during.map((t) => t.duration)),
    endLongestMs: Math.max(0, ...snap.longTasks.filter((t) => !during.includes(t)).map((t) => t.duration)),
    endedAtMs: snap.endedAt,
    longTaskList: snap.longTasks.map((t) => ({
      start: Math.round(t.start),
      duration: Math.round(t.duration),
    })),
    fps: snap.frames / (snap.elapsedMs / 1000),
    elapsedMs: snap.elapsedMs,
    realDeltasPerSecond: paced
      ? (paced.deltas - 1) / ((paced.lastDeltaAt - paced.firstDeltaAt) / 1000)
      : Number.NaN,
  };
}

export async function rendering(sim: BenchSim, cfg: RenderingConfig): Promise<BenchResult> {
  const began = performance.now();
  sim.keepWrites = false;
  const proxy = await startUpstreamProxy(sim.url, {
    tokens: cfg.sizes[0] ?? 1000,
    deltasPerSecond: cfg.deltasPerSecond,
  });
  const serve = await startBenchServe({
    simUrl: sim.url,
    staticDir: cfg.staticDir,
    settings: {},
    routeBaseURL: () => Promise.resolve(proxy.url),
  });
  const runs: RenderRun[] = [];
  let browser: Browser | null = null;
  let version = '';
  let session: Session | null = null;
  try {
    // As the settings panel would: the answer's pace and a budget big enough for it.
    await serve.patchSettings({
      sim: { scenario: 'sim-text', ttftMs: cfg.ttftMs, tpotMs: 0 },
      maxTokens: 128_000,
    });
    browser = await chromium.launch({ executablePath: cfg.chromiumPath, args: CHROMIUM_ARGS });
    version = browser.version();
    session = await openSession(browser, serve);
    // Warm-up (the page's first turn, the highlighter and its grammars' first load), discarded.
    await renderOnce(session, proxy, WARM_UP_TOKENS);
    for (let round = 0; round < cfg.rounds; round++) {
      const order = round % 2 === 0 ? cfg.sizes : [...cfg.sizes].reverse();
      for (const tokens of order) {
        const run = await renderOnce(session, proxy, tokens);
        runs.push(run);
        progress(
          'rendering',
          `${tokens} tokens: ${run.outcome}, scripting ${Math.round(run.scriptingMs)} ms, ${run.longTasks} long tasks (max ${Math.round(run.longestTaskMs)} ms), ${run.fps.toFixed(0)} fps, ${Math.round(run.realDeltasPerSecond)} tokens/s`,
        );
      }
    }
  } finally {
    await session?.close();
    await browser?.close();
    await serve.close();
    await proxy.close();
    sim.keepWrites = true;
  }
  sim.drain();

  const bySize = (tokens: number) => runs.filter((r) => r.tokens === tokens);
  const med = (tokens: number, f: (r: RenderRun) => number) => median(bySize(tokens).map(f));
  const most = (tokens: number, f: (r: RenderRun) => number) => Math.max(0, ...bySize(tokens).map(f));
  const [small, large] = [cfg.sizes[0] ?? 0, cfg.sizes[1] ?? 0];
  const rows = cfg.sizes.flatMap((t) => {
    const k = `${t / 1000}k tokens`;
    const scripting = ms(
      med(t, (r) => r.scriptingMs),
      0,
    );
    const tasks = ms(
      med(t, (r) => r.taskMs),
      0,
    );
    const layout = ms(
      med(t, (r) => r.layoutMs + r.styleMs),
      0,
    );
    const fps = med(t, (r) => r.fps).toFixed(0);
    const rate = Math.round(med(t, (r) => r.realDeltasPerSecond));
    const streaming = most(t, (r) => r.streamingLongTasks);
    return [
      info(`${k}: scripting · all main-thread tasks · layout+style`, `${scripting} · ${tasks} · ${layout}`),
      info(`${k}: frames per second · real token rate`, `${fps} fps · ${rate} tokens/s`),
      info(
        `${k}: long tasks while streaming · longest when the answer settles (per run, worst)`,
        `${
          streaming === 0
            ? 'none'
            : `${streaming} (longest ${ms(
                most(t, (r) => r.streamingLongestMs),
                0,
              )})`
        } · ${ms(
          most(t, (r) => r.endLongestMs),
          0,
        )}`,
      ),
    ];
  });
  const longest = Math.max(...runs.map((r) => r.longestTaskMs));
  const longCount = runs.reduce((n, r) => n + r.longTasks, 0);
  const ratio = med(large, (r) => r.scriptingMs) / med(small, (r) => r.scriptingMs);
  const complete = runs.every((r) => r.outcome === 'complete' && r.outputTokens === r.tokens);
  rows.push(
    check(
      'Long tasks over 50 ms (all runs)',
      longCount === 0 ? 'none' : `${longCount} in ${runs.length} runs, longest ${ms(longest, 0)}`,
      'none',
      longCount === 0,
    ),
    check(
      `Scripting time ${large / 1000}k / ${small / 1000}k`,
      `×${ratio.toFixed(2)} (tokens ×${(large / small).toFixed(1)})`,
      '≤ ×5.5',
      ratio <= 5.5,
    ),
    check('Every answer complete, with every token', complete ? 'yes' : 'NO', 'yes', complete),
  );
  return {
    id: 'rendering',
    title: '5. Rendering (Chromium, sluice serve)',
    rows,
    notes: [
      `Chromium ${version} headless (${cfg.chromiumPath}), 1280×900, one page for all answers; ${cfg.rounds} rounds of ${cfg.sizes.join(' and ')} tokens (order alternated), medians, after a discarded ${WARM_UP_TOKENS}-token warm-up in the same page (a new chat per answer). The simulated provider is asked for a TPOT-0 answer of N deltas (markdown with headings, lists, tables and code blocks) and a pacing hop releases it at ${cfg.deltasPerSecond} deltas/s (the provider's TPOT is whole milliseconds). TTFT ${cfg.ttftMs} ms via PATCH /api/settings, maxTokens 128000.`,
      'Measured from Enter to the answer\'s data-outcome leaving "streaming", plus 300 ms for the final render: CDP ScriptDuration / TaskDuration / LayoutDuration + RecalcStyleDuration deltas, PerformanceObserver long tasks, requestAnimationFrame count / elapsed. A long task "when the answer settles" started after the outcome was set (a MutationObserver on data-outcome). To see where the time goes: `npx tsx bench/profile-rendering.ts 50000` (CPU profile and trace of an unminified build).',
    ],
    data: { config: cfg, runs },
    seconds: (performance.now() - began) / 1000,
  };
}
