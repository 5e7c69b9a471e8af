// What the browser tests do and read on the page. This project is type-checked without DOM types,
// so callbacks that run in the page describe the little of the DOM they use themselves.
import { expect, type Locator, type Page } from '@playwright/test';

export type El = {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
};
export type PageWindow = {
  document: El & { documentElement: El };
  localStorage: { length: number; key(i: number): string | null; getItem(key: string): string | null };
  sessionStorage: PageWindow['localStorage'];
  __copied?: string[];
  __pwned?: unknown;
};

/** The four looks each section is checked in: 1280 and 390 px wide, light and dark. */
export const COMBOS = [
  { scheme: 'light', width: 1280 },
  { scheme: 'dark', width: 1280 },
  { scheme: 'light', width: 390 },
  { scheme: 'dark', width: 390 },
] as const;
export type Combo = (typeof COMBOS)[number];

/** The window at the combo's size (a phone's height when narrow) and colour scheme. */
export async function lookAs(page: Page, combo: Combo): Promise<void> {
  await page.setViewportSize({ width: combo.width, height: combo.width > 760 ? 800 : 844 });
  await page.emulateMedia({ colorScheme: combo.scheme });
}

export const isNarrow = (page: Page): boolean => (page.viewportSize()?.width ?? 1280) <= 760;

/** The sidebar: at a narrow width it is a drawer behind the menu button. */
export async function sidebar(page: Page): Promise<Locator> {
  const nav = page.locator('#sidebar');
  if (isNarrow(page) && !(await nav.isVisible())) await page.getByTestId('nav-toggle').click();
  await expect(nav).toBeVisible();
  return nav;
}

export const ANSWER = '[data-testid="message"][data-role="assistant"]';

export type ScrollBox = { top: number; height: number; client: number };

/** A scroll box's position and sizes. */
export const box = (locator: Locator): Promise<ScrollBox> =>
  locator.evaluate((el) => ({ top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight }));
/** How far the view is above the bottom of its box. */
export const fromBottom = (b: ScrollBox) => b.height - b.top - b.client;

export const lastAnswer = (page: Page): Locator => page.locator(ANSWER).last();

/**
 * Types a message and sends it with Enter, as a person does once Send is enabled: an answer shown
 * complete may still be ending (saved, read back) for a moment, and Enter does nothing until then.
 */
export async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer-input').fill(text);
  await expect(page.getByTestId('send')).toBeEnabled({ timeout: 15_000 });
  await page.getByTestId('composer-input').press('Enter');
}

/** The answer's raw markdown as the page holds it, through its Copy button (see stubClipboard). */
export async function copiedText(page: Page, answer: Locator): Promise<string> {
  const before = await page.evaluate(() => (globalThis as unknown as PageWindow).__copied?.length ?? 0);
  await answer.getByTestId('copy-message').click();
  return page.evaluate(async (n) => {
    const w = globalThis as unknown as PageWindow;
    while ((w.__copied?.length ?? 0) <= n) await new Promise((r) => setTimeout(r, 5));
    return w.__copied?.at(-1) ?? '';
  }, before);
}

/** One distinct state of the last answer on screen. */
export type Sample = {
  outcome: string | null;
  phase: string | null;
  /** All of the answer's text blocks, as rendered. */
  text: string;
  thinking: string | null;
  toolStatus: string | null;
  toolRaw: string | null;
};

/**
 * Samples the last answer every few milliseconds in the page itself (no round trips), keeping each
 * state that differs from the one before, until the answer has an outcome or `timeoutMs` passes.
 */
export function sampleAnswer(page: Page, timeoutMs: number): Promise<Sample[]> {
  return page.evaluate(
    async ({ selector, timeoutMs }) => {
      const { document } = globalThis as unknown as PageWindow;
      const samples: Sample[] = [];
      let previous = '';
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const all = document.querySelectorAll(selector);
        const a = all[all.length - 1] ?? null;
        const blocks = a ? Array.from(a.querySelectorAll('[data-testid="assistant-text"]')) : [];
        const tool = a?.querySelector('[data-testid="tool-card"]') ?? null;
        const sample: Sample = {
          outcome: a?.getAttribute('data-outcome') ?? null,
          phase: a?.querySelector('[data-testid="phase-line"]')?.getAttribute('data-phase') ?? null,
          text: blocks.map((b) => b.textContent ?? '').join('\n'),
          thinking: a?.querySelector('[data-testid="thinking-panel"] .thinking-text')?.textContent ?? null,
          toolStatus: tool?.getAttribute('data-status') ?? null,
          toolRaw: tool?.querySelector('[data-testid="tool-raw-input"]')?.textContent ?? null,
        };
        const key = JSON.stringify(sample);
        if (key !== previous) samples.push(sample);
        previous = key;
        if ((sample.outcome !== null && sample.outcome !== 'streaming') || performance.now() > deadline)
          break;
        await new Promise((r) => setTimeout(r, 5));
      }
      return samples;
    },
    { selector: ANSWER, timeoutMs },
  );
}

/** A number a data attribute shows (the metrics footer's), failing loudly when it is missing. */
export async function numberAttr(locator: Locator, name: string): Promise<number> {
  const raw = await locator.getAttribute(name);
  const value = Number(raw);
  if (raw === null || raw === '' || !Number.isFinite(value)) throw new Error(`${name} is "${String(raw)}"`);
  return value;
}
