// 5. Rendering in a real browser: Chromium (Debian's, driven by Playwright) against `sluice serve`.
// A long markdown answer with code blocks and tables streams at ~2,000 tokens/s, a 10k- and a
// 50k-token one, into
//   - the whole app (the built renderer: a person types in the composer and presses Enter), and a
//     short answer at a reader's 100 tokens/s;
//   - the bench page (bench/page/), the same feed (the app's HTTP client and live-turn reducer, one
//     batch per animation frame) into one of three renderers in one shell: Sluice's Markdown,
//     streamdown, and react-markdown over the whole text per update.
// Each answer: main-thread busy (a trace's top-level tasks over the stream's wall time), scripting
// and layout+style (CDP Performance.getMetrics), long tasks, frames per second, and the text shown.
import { createHash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { CHROMIUM_ARGS } from '../playwright.config';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { FLOOR, RENDERERS, type PageResult, type RendererId } from './lib/page-protocol';
import { check, info, ms, progress, type BenchResult } from './lib/result';
import { startBenchServe, type BenchServe } from './lib/serve-face';
import type { BenchSim } from './lib/sim';
import { median, sleep } from './lib/stats';
import { startUpstreamProxy, type UpstreamProxy } from './lib/upstream-proxy';
import { BUSY_CATEGORIES, mainThreadBusy, STREAM_END, STREAM_START } from './profile/trace';

export type RenderingConfig = {
  sizes: number[];
  rounds: number;
  deltasPerSecond: number;
  /** The reader's pace: one answer of `tokens` at `deltasPerSecond` into the whole app. */
  slow: { tokens: number; deltasPerSecond: number };
  ttftMs: number;
  staticDir: string;
  /** The built bench page (bench/lib/page-build.ts). */
  pageDir: string;
  chromiumPath: string;
  /** Default: the app and every renderer (an experiment may run fewer; the rows then say n/a). */
  subjects?: Subject[];
};

// Runs in the page before its own scripts: long tasks, a frame counter and the trace markers,
// reset at Enter; the text an answer shows, without its renderer's chrome.
const INIT_SCRIPT = `(() => {
  const b = { longTasks: [], frames: 0, t0: performance.now(), endedAt: null };
  b.reset = () => {
    b.longTasks = []; b.frames = 0; b.t0 = performance.now(); b.endedAt = null;
    performance.mark(${JSON.stringify(STREAM_START)});
  };
  b.snapshot = () => ({ longTasks: b.longTasks, frames: b.frames, elapsedMs: performance.now() - b.t0, endedAt: b.endedAt });
  // Code block headers and buttons are each renderer's own, not the answer's text.
  const CHROME = '.code-head, button, [data-streamdown="code-block-header"], [data-streamdown="code-block-actions"]';
  b.textOf = (selector) => {
    const root = document.querySelector(selector);
    let out = '';
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) out += node.textContent;
      else if (node.nodeType === Node.ELEMENT_NODE && !node.matches(CHROME)) node.childNodes.forEach(walk);
    };
    if (root) walk(root);
    return out.replace(/\\s+/g, '');
  };
  // When the answer's outcome is first set: long tasks after it belong to the answer settling.
  new MutationObserver((records) => {
    if (b.endedAt !== null) return;
    for (const r of records) {
      const el = r.target;
      if (el.getAttribute('data-role') === 'assistant' && el.getAttribute('data-outcome') !== 'streaming') {
        b.endedAt = performance.now() - b.t0;
        performance.mark(${JSON.stringify(STREAM_END)});
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

/**
 * Who rendered: the whole app, or one renderer in the bench page; or the floor under them all, the
 * page showing the text as plain paragraphs, once per frame or at the app's pace (slow answer only).
 */
export type Subject = 'app' | RendererId | 'floor' | 'floor-paced';
const FLOORS = ['floor', 'floor-paced'] as const;

export type RenderRun = {
  subject: Subject;
  tokens: number;
  deltasPerSecond: number;
  outcome: string | null;
  outputTokens: number | null;
  /** Top-level main-thread tasks from Enter to the outcome (trace), and that wall time. */
  busyMs: number;
  wallMs: number;
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
  /** The turn's SSE response: relay events, the messages they went in (deltas join), bytes. */
  sse: { events: number; messages: number; bytes: number } | null;
  /** The text shown (white space removed, chrome left out): its length and sha256. */
  shownLength: number;
  shownHash: string;
};

async function metrics(cdp: CDPSession) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const get = (name: string) => (list.find((m) => m.name === name)?.value ?? 0) * 1000;
  return {
    script: get('ScriptDuration'),
    task: get('TaskDuration'),
    layout: get('LayoutDuration'),
    style: get('RecalcStyleDuration'),
  };
}

type Session = {
  subject: Subject;
  page: Page;
  cdp: CDPSession;
  /** What the person does before the answer: a new chat, the prompt typed. */
  prepare(): Promise<void>;
  /** Enter: the turn starts. */
  begin(): Promise<void>;
  /** Where the answer's text is. */
  textSelector: string;
  close(): Promise<void>;
};

/** One page per subject for all its answers, as a person keeps the app open: caches and the highlighter stay warm. */
async function openSession(browser: Browser, url: string, subject: Subject): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript({ content: INIT_SCRIPT });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url);
  const close = () => context.close();
  if (subject === 'app') {
    const composer = page.getByTestId('composer-input');
    return {
      subject,
      page,
      cdp,
      close,
      textSelector: '[data-testid="message"][data-role="assistant"] [data-testid="assistant-text"]',
      async prepare() {
        // A new conversation each time: only this answer is on screen.
        await page.getByTestId('new-chat').click();
        await composer.waitFor({ state: 'visible' });
        await composer.pressSequentially(PROMPT);
      },
      begin: () => composer.press('Enter'),
    };
  }
  await page.waitForFunction('window.__sluicePage !== undefined');
  return {
    subject,
    page,
    cdp,
    close,
    textSelector: '[data-testid="bench-answer"]',
    // As the app's New chat: the last answer leaves the page before this one is measured.
    prepare: () => page.evaluate('window.__sluicePage.clear()').then(() => undefined),
    begin: () => page.evaluate(`void window.__sluicePage.start(${JSON.stringify(PROMPT)})`),
  };
}

async function renderOnce(
  browser: Browser,
  session: Session,
  proxy: UpstreamProxy,
  tokens: number,
  deltasPerSecond: number,
): Promise<RenderRun> {
  const { page, cdp } = session;
  // One prompt for every size: the same seed, so a longer answer starts with the shorter one.
  proxy.plan = { tokens, deltasPerSecond };
  await session.prepare();
  const pacedBefore = proxy.paced.length;
  await browser.startTracing(page, { categories: BUSY_CATEGORIES });
  await page.evaluate('window.__sluiceBench.reset()');
  const before = await metrics(cdp);
  await session.begin();
  // Polled once a second: Playwright's locator waits query the whole document on every animation
  // frame, and that work would land in the page's scripting time, growing with the answer.
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
        '[data-role="assistant"][data-outcome]:not([data-outcome="streaming"])',
      ) !== null,
    undefined,
    { polling: 1000, timeout: 240_000 },
  );
  // Let the final render (settled code blocks, highlighting) land in the numbers too.
  await page.waitForTimeout(300);
  const after = await metrics(cdp);
  const trace = (await browser.stopTracing()).toString('utf8');
  const busy = mainThreadBusy(trace);
  const snap = await page.evaluate<Snapshot>('window.__sluiceBench.snapshot()');
  const answer = page.locator('[data-role="assistant"][data-outcome]').first();
  const outcome = await answer.getAttribute('data-outcome');
  const shown = await page.evaluate<string>(
    `window.__sluiceBench.textOf(${JSON.stringify(session.textSelector)})`,
  );
  const output = await outputTokensOf(session);
  const paced = proxy.paced.slice(pacedBefore).at(-1);
  const endedAt = snap.endedAt ?? snap.elapsedMs;
  const during = snap.longTasks.filter((t) => t.start < endedAt);
  return {
    subject: session.subject,
    tokens,
    deltasPerSecond,
    outcome,
    outputTokens: output,
    busyMs: busy?.busyMs ?? Number.NaN,
    wallMs: busy?.wallMs ?? Number.NaN,
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
    shownLength: shown.length,
    shownHash: createHash('sha256').update(shown).digest('hex'),
    sse: null,
  };
}

/** Runs one answer and adds its SSE numbers from the serve's report of the turn. */
async function measured(run: () => Promise<RenderRun>, serve: BenchServe): Promise<RenderRun> {
  const reports = serve.reports.length;
  const r = await run();
  // The report comes once the turn is saved, a moment after the page shows its outcome.
  const until = performance.now() + 5000;
  while (serve.reports.length === reports && performance.now() < until) await sleep(20);
  const sse = serve.reports.length > reports ? serve.reports.at(-1)?.sse : undefined;
  return {
    ...r,
    sse: sse ? { events: sse.events, messages: sse.events - sse.joined, bytes: sse.bytesWritten } : null,
  };
}

/** The answer's output tokens, as the app's footer or the bench page's turn says. */
async function outputTokensOf(session: Session): Promise<number | null> {
  if (session.subject !== 'app') {
    const result = await session.page.evaluate<PageResult>('window.__sluicePage.result()');
    return result.outputTokens;
  }
  const footer = session.page.getByTestId('metrics-footer').first();
  const output = (await footer.count()) > 0 ? await footer.getAttribute('data-output-tokens') : null;
  return output === null ? null : Number(output);
}

const NAMES: Record<Subject, string> = {
  app: 'Sluice, the whole app',
  sluice: 'Sluice Markdown',
  streamdown: 'streamdown',
  naive: 'react-markdown, whole text',
  floor: 'The floor (plain paragraphs, every frame)',
  'floor-paced': "The floor (plain paragraphs, at the app's pace)",
};

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : 'n/a');
const seconds = (v: number) => (Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : 'n/a');

export async function rendering(sim: BenchSim, cfg: RenderingConfig): Promise<BenchResult> {
  const began = performance.now();
  const load = loadavg()[0] ?? Number.NaN;
  sim.keepWrites = false;
  const proxy = await startUpstreamProxy(sim.url, {
    tokens: cfg.sizes[0] ?? 1000,
    deltasPerSecond: cfg.deltasPerSecond,
  });
  const serveWith = (staticDir: string) =>
    startBenchServe({
      simUrl: sim.url,
      staticDir,
      settings: {},
      routeBaseURL: () => Promise.resolve(proxy.url),
    });
  const serves: BenchServe[] = [];
  const runs: RenderRun[] = [];
  let browser: Browser | null = null;
  let version = '';
  try {
    const app = await serveWith(cfg.staticDir);
    serves.push(app);
    const bench = await serveWith(cfg.pageDir);
    serves.push(bench);
    for (const serve of serves) {
      // As the settings panel would: the answer's pace and a budget big enough for it.
      await serve.patchSettings({
        sim: { scenario: 'sim-text', ttftMs: cfg.ttftMs, tpotMs: 0 },
        maxTokens: 128_000,
      });
    }
    const launched = await chromium.launch({ executablePath: cfg.chromiumPath, args: CHROMIUM_ARGS });
    browser = launched;
    version = launched.version();
    const all: { subject: Subject; url: string; serve: BenchServe }[] = [
      { subject: 'app', url: app.server.url, serve: app },
      ...RENDERERS.map((r) => ({ subject: r, url: `${bench.server.url}&renderer=${r}`, serve: bench })),
      { subject: 'floor', url: `${bench.server.url}&renderer=${FLOOR}`, serve: bench },
      { subject: 'floor-paced', url: `${bench.server.url}&renderer=${FLOOR}&pace=app`, serve: bench },
    ];
    const subjects = all.filter((s) => !cfg.subjects || cfg.subjects.includes(s.subject));
    for (const { subject, url, serve } of subjects) {
      const session = await openSession(browser, url, subject);
      try {
        // Warm-up (the page's first turn, the highlighter and its grammars' first load), discarded.
        await renderOnce(browser, session, proxy, WARM_UP_TOKENS, cfg.deltasPerSecond);
        const plan = [];
        const floor = subject === 'floor' || subject === 'floor-paced';
        for (let round = 0; round < (floor ? 0 : cfg.rounds); round++) {
          plan.push(...(round % 2 === 0 ? cfg.sizes : [...cfg.sizes].reverse()));
        }
        for (const tokens of plan) {
          const run = await measured(
            () => renderOnce(launched, session, proxy, tokens, cfg.deltasPerSecond),
            serve,
          );
          runs.push(run);
          progress('rendering', describeRun(run));
        }
        if (subject === 'app' || subject === 'sluice' || floor) {
          const run = await measured(
            () => renderOnce(launched, session, proxy, cfg.slow.tokens, cfg.slow.deltasPerSecond),
            serve,
          );
          runs.push(run);
          progress('rendering', describeRun(run));
        }
      } finally {
        await session.close();
      }
    }
  } finally {
    await browser?.close();
    for (const serve of serves) await serve.close();
    await proxy.close();
    sim.keepWrites = true;
  }
  sim.drain();
  return {
    id: 'rendering',
    title: '5. Rendering (Chromium, sluice serve; peers in one page)',
    rows: rowsOf(runs, cfg),
    notes: notesOf(cfg, version, load),
    data: { config: cfg, runs },
    seconds: (performance.now() - began) / 1000,
  };
}

function describeRun(r: RenderRun): string {
  return `${NAMES[r.subject]}, ${r.tokens} tokens at ${r.deltasPerSecond}/s: ${r.outcome}, busy ${pct(r.busyMs / r.wallMs)}, scripting ${Math.round(r.scriptingMs)} ms, ${r.longTasks} long tasks (max ${Math.round(r.longestTaskMs)} ms), ${r.fps.toFixed(0)} fps, ${Math.round(r.realDeltasPerSecond)} tokens/s${r.sse ? `, ${r.sse.events} events in ${r.sse.messages} SSE messages (${(r.sse.bytes / 1e6).toFixed(1)} MB)` : ''}`;
}

function rowsOf(runs: RenderRun[], cfg: RenderingConfig): BenchResult['rows'] {
  const fast = (s: Subject, tokens: number) =>
    runs.filter((r) => r.subject === s && r.tokens === tokens && r.deltasPerSecond === cfg.deltasPerSecond);
  const med = (s: Subject, tokens: number, f: (r: RenderRun) => number) => median(fast(s, tokens).map(f));
  const most = (list: RenderRun[], f: (r: RenderRun) => number) => Math.max(0, ...list.map(f));
  const [small, large] = [cfg.sizes[0] ?? 0, cfg.sizes[1] ?? 0];
  const busyOf = (r: RenderRun) => r.busyMs / r.wallMs;
  const scaling = (s: Subject) => med(s, large, (r) => r.scriptingMs) / med(s, small, (r) => r.scriptingMs);
  const subjects: Subject[] = ['app', ...RENDERERS];

  const rows = subjects.flatMap((s) =>
    cfg.sizes.map((t) => {
      const list = fast(s, t);
      const long = most(list, (r) => r.longTasks);
      return info(
        `${NAMES[s]}, ${t / 1000}k tokens: busy · scripting · layout+style · long tasks (worst run) · fps`,
        [
          `${pct(med(s, t, busyOf))} (${seconds(med(s, t, (r) => r.busyMs))})`,
          seconds(med(s, t, (r) => r.scriptingMs)),
          seconds(med(s, t, (r) => r.layoutMs + r.styleMs)),
          long === 0
            ? 'none'
            : `${long} (max ${ms(
                most(list, (r) => r.longestTaskMs),
                0,
              )})`,
          `${med(s, t, (r) => r.fps).toFixed(0)} fps`,
        ].join(' · '),
      );
    }),
  );
  rows.push(
    info(
      `Scripting ${large / 1000}k / ${small / 1000}k (tokens ×${(large / small).toFixed(1)})`,
      subjects.map((s) => `${NAMES[s]} ×${scaling(s).toFixed(2)}`).join(' · '),
    ),
  );

  // The same text on screen: every renderer against react-markdown's rendering of the same answer.
  for (const s of subjects) {
    const mismatched = cfg.sizes.filter((t) => {
      const reference = fast('naive', t)[0]?.shownHash;
      const list = runs.filter((r) => r.subject === s && r.tokens === t);
      return reference === undefined || list.length === 0 || list.some((r) => r.shownHash !== reference);
    });
    const complete = runs
      .filter((r) => r.subject === s)
      .every((r) => r.outcome === 'complete' && r.outputTokens === r.tokens && r.shownLength > 0);
    const ok = mismatched.length === 0 && complete;
    rows.push(
      check(
        `${NAMES[s]}: every answer complete, and its final text the same as react-markdown's`,
        ok
          ? 'yes'
          : !complete
            ? 'NO: an answer incomplete or empty'
            : `NO at ${mismatched.join(', ')} tokens`,
        'yes',
        ok,
      ),
    );
  }

  const appBusy = med('app', large, busyOf);
  const sluiceRuns = runs.filter((r) => r.subject === 'app' || r.subject === 'sluice');
  const longCount = sluiceRuns.reduce((n, r) => n + r.longTasks, 0);
  const ratio = scaling('app');
  const half = med('sluice', large, (r) => r.busyMs) / med('streamdown', large, (r) => r.busyMs);
  const slowOf = (s: Subject) =>
    runs.find((r) => r.subject === s && r.deltasPerSecond === cfg.slow.deltasPerSecond);
  const slowRow = (r: RenderRun | undefined) =>
    r ? `${pct(busyOf(r))} (${r.fps.toFixed(0)} fps, ${r.longTasks} long tasks)` : 'n/a';
  const slow = slowOf('app');
  const slowBusy = slow ? busyOf(slow) : Number.NaN;
  rows.push(
    check(
      `${NAMES.app}: main thread busy, ${large / 1000}k tokens at ${cfg.deltasPerSecond}/s`,
      pct(appBusy),
      '≤ 35%',
      appBusy <= 0.35,
    ),
    check(
      `${NAMES.app}: main thread busy, ${cfg.slow.tokens / 1000}k tokens at ${cfg.slow.deltasPerSecond}/s`,
      slowRow(slow),
      '≤ 5%',
      slowBusy <= 0.05,
    ),
    info(
      `${NAMES.sluice} (bench page): main thread busy, ${cfg.slow.tokens / 1000}k tokens at ${cfg.slow.deltasPerSecond}/s`,
      slowRow(slowOf('sluice')),
    ),
    info(
      `The floor: the bench page showing the same answer as plain paragraphs (no markdown), ${cfg.slow.tokens / 1000}k tokens at ${cfg.slow.deltasPerSecond}/s, applied every frame · at the app's pace (store/frames.ts)`,
      FLOORS.map((f) => {
        const r = slowOf(f);
        return r?.outcome === 'complete' ? slowRow(r) : 'n/a';
      }).join(' · '),
    ),
    check(
      'Sluice: long tasks over 50 ms (all runs, app and page)',
      longCount === 0
        ? 'none'
        : `${longCount} in ${sluiceRuns.length} runs, longest ${ms(Math.max(...sluiceRuns.map((r) => r.longestTaskMs)), 0)}`,
      'none',
      longCount === 0,
    ),
    check(
      `${NAMES.app}: scripting ${large / 1000}k / ${small / 1000}k`,
      `×${ratio.toFixed(2)} (tokens ×${(large / small).toFixed(1)})`,
      '≤ ×5.5',
      ratio <= 5.5,
    ),
    check(
      `Sluice Markdown's main-thread time / streamdown's, ${large / 1000}k tokens`,
      `×${half.toFixed(2)}`,
      '≤ ×0.5',
      half <= 0.5,
    ),
  );
  return rows;
}

function notesOf(cfg: RenderingConfig, version: string, load: number): string[] {
  return [
    `Load average (1 min) when this section started: ${load.toFixed(1)} on ${availableParallelism()} cores. Busy, long tasks and fps count wall time, so other work on the machine inflates them; compare the subjects side by side.`,
    `Chromium ${version} headless (${cfg.chromiumPath}), 1280×900, one page per subject for all its answers, each begun on an empty view outside the measured window (the app: New chat; the bench page: its last answer taken off and a frame painted); ${cfg.rounds} rounds of ${cfg.sizes.join(' and ')} tokens at ${cfg.deltasPerSecond} deltas/s (order alternated), medians, after a discarded ${WARM_UP_TOKENS}-token warm-up in the same page; then, for the app, Sluice's Markdown in the page and the floor, one answer of ${cfg.slow.tokens} tokens at ${cfg.slow.deltasPerSecond}/s. The floor is the same page and feed with no renderer: the answer's text as plain paragraphs (memoized, only the last one grows), applied every animation frame as the peers are, and at the app's pace (PAINT_INTERVAL_MS in store/frames.ts, as the whole app applies events); what any page pays to show this stream on this machine. The simulated provider is asked for a TPOT-0 answer of N deltas (markdown with headings, lists, tables and code blocks) and a pacing hop releases it at the rate (the provider's TPOT is whole milliseconds). TTFT ${cfg.ttftMs} ms via PATCH /api/settings, maxTokens 128000.`,
    "The whole app: the built renderer, a new chat per answer, the prompt typed and Enter pressed. The peers: bench/page/, built with vite (bench only, never shipped) and served by the same `sluice serve`; it starts the turn with the app's HTTP client and applies its relay events once per animation frame with the app's live-turn reducer, in one shell that follows the bottom with the app's hook, then hands the text to one renderer: Sluice's Markdown (given the deltas, as the app does; shiki highlights settled code blocks, in a worker as in the app), streamdown 2 (`<Streamdown mode=\"streaming\" isAnimating>`, its defaults: no code highlighting plugin, Tailwind utilities built for its classes) or react-markdown + remark-gfm over the whole text on every update. The same CSS (base.css, markdown.css, the Tailwind utilities) is on the page for all three.",
    "Busy: the sum of top-level tasks (trace event RunTask) on the renderer's main thread from Enter to the answer's data-outcome leaving \"streaming\", over that wall time, in a trace taken during the answer (the tracing itself adds some cost, to every subject alike). Scripting and layout+style: CDP ScriptDuration, LayoutDuration + RecalcStyleDuration deltas from Enter to 300 ms after the outcome. Long tasks: PerformanceObserver; fps: requestAnimationFrame count / elapsed. Final text: the answer's visible text with each renderer's chrome (code block headers, buttons) left out and all white space removed, hashed; every subject must match react-markdown's for the same answer. To see where the time goes: `npx tsx bench/profile-rendering.ts 50000` (CPU profile and trace of an unminified build).",
  ];
}
