// Accessibility in the browser twin: axe-core (WCAG 2.0/2.1/2.2 A and AA, and best practice) on
// every main state, light and dark, wide and narrow; a conversation walked with the keyboard only;
// visible focus; reduced motion; text at 200%.
import type { Locator, Page } from '@playwright/test';
import { startTestServe } from '../../support/serve';
import type { SettingsPatch } from '../../../src/shared/protocol';
import { axeViolations } from '../support/axe';
import { expect, openApp, snap, test as base, type WebApp } from '../support/fixtures';
import { isNarrow, lastAnswer, send, sidebar } from '../support/page';

/** One `sluice serve` for the whole file: the states below are conversations stored in it. */
const test = base.extend<object, { shared: WebApp }>({
  shared: [
    async ({ rendererDir }, use) => {
      const ts = await startTestServe({
        staticDir: rendererDir,
        settings: { sim: { scenario: 'sim-text', ttftMs: 20, tpotMs: 2 } },
        simTokens: 400,
        simDefaults: { thinkingMs: 400 },
      });
      await use({ ...ts, open: (page) => openApp(page, ts) });
      await ts.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

// axe is injected as a script tag, which the page's CSP (tested in security.spec) would refuse.
test.use({ bypassCSP: true });

const FAST = { ttftMs: 20, tpotMs: 2 };

/** Stores a finished turn through the API (no page needed) and returns its conversation's title. */
async function storeTurn(app: WebApp, text: string, patch: SettingsPatch): Promise<string> {
  await app.settings.update(patch);
  const reply = await app.call('POST', '/api/turns', { action: 'send', conversationId: null, text });
  expect(reply.status).toBe(200);
  return text;
}

async function openConversation(page: Page, title: string) {
  const nav = await sidebar(page);
  await nav.locator('.conversation-open', { hasText: title }).click();
  await expect(page.locator('.conversation-heading')).toHaveText(title);
  await expect(lastAnswer(page)).not.toHaveAttribute('data-outcome', 'streaming');
}

const active = (page: Page) =>
  page.evaluate(() => {
    const d = (globalThis as unknown as { document: { activeElement: Record<string, unknown> | null } })
      .document;
    const el = d.activeElement as {
      tagName?: string;
      getAttribute?: (n: string) => string | null;
      textContent?: string | null;
    } | null;
    return {
      tag: el?.tagName ?? null,
      testId: el?.getAttribute?.('data-testid') ?? null,
      label: el?.getAttribute?.('aria-label') ?? null,
      text: el?.textContent?.trim() ?? null,
    };
  });

test('axe finds no violation in any main state, light and dark, 1280 and 390 px wide', async ({
  page,
  shared: app,
}) => {
  test.setTimeout(120_000);
  const text = await storeTurn(app, 'Tell me about rivers', { sim: { scenario: 'sim-text', ...FAST } });
  const tool = await storeTurn(app, 'What is 17.5 * 4?', { sim: { scenario: 'sim-tool', ...FAST } });
  const reasoning = await storeTurn(app, 'Think hard about queues', {
    sim: { scenario: 'sim-reasoning', ...FAST },
    thinking: { enabled: true, budgetTokens: 2048 },
  });
  const error = await storeTurn(app, 'Tell me about lakes', {
    sim: { scenario: 'sim-overloaded-midstream', ...FAST },
    thinking: { enabled: false, budgetTokens: 2048 },
  });

  const report: string[] = [];
  const states: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width > 760 ? 800 : 844 });
      await page.emulateMedia({ colorScheme: scheme });
      await app.settings.update({ sim: { scenario: 'sim-text', ...FAST } });
      await app.open(page);
      const check = async (state: string) => {
        const name = `${scheme} ${width}px ${state}`;
        states.push(name);
        report.push(...(await axeViolations(page, name)));
      };

      await expect(page.locator('.empty-state')).toBeVisible();
      await check('empty');
      if (isNarrow(page)) {
        await sidebar(page);
        await check('sidebar drawer');
        await page.keyboard.press('Escape');
        await expect(page.locator('#sidebar')).toBeHidden();
      }

      await openConversation(page, text);
      await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete');
      await expect(lastAnswer(page).getByTestId('code-block').first()).toHaveAttribute(
        'data-highlighted',
        'true',
      );
      await check('text answer');
      await snap(page, `a11y-${scheme}-${width}-text-answer`);
      await page.getByTestId('export-button').click();
      await expect(page.getByRole('group', { name: 'Export as' })).toBeVisible();
      await check('export choices');
      await page.keyboard.press('Escape');
      await expect(page.getByRole('group', { name: 'Export as' })).toHaveCount(0);

      await openConversation(page, tool);
      await expect(lastAnswer(page).getByTestId('tool-result')).toContainText('70');
      await check('tool answer');
      await snap(page, `a11y-${scheme}-${width}-tool-answer`);

      await openConversation(page, reasoning);
      const toggle = lastAnswer(page).locator('.thinking-toggle');
      await toggle.click();
      await expect(toggle).toHaveAttribute('aria-expanded', 'true');
      await check('reasoning');

      await openConversation(page, error);
      await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'error');
      await expect(lastAnswer(page).getByTestId('retry')).toBeVisible();
      await check('error');

      await (await sidebar(page)).getByTestId('settings-button').click();
      await expect(page.getByTestId('settings-panel')).toBeVisible();
      await check('settings');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('settings-panel')).toBeHidden();

      await (await sidebar(page)).getByTestId('runbook-button').click();
      await expect(page.getByTestId('runbook-panel')).toBeVisible();
      await check('runbook');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('runbook-panel')).toBeHidden();

      // Mid-stream, held there by a slow simulated model: the phase line, Stop, a growing answer.
      await app.settings.update({ sim: { scenario: 'sim-text', ttftMs: 20, tpotMs: 400 } });
      await (await sidebar(page)).getByTestId('new-chat').click();
      await send(page, `Stream slowly (${scheme}, ${width})`);
      await expect(lastAnswer(page).getByTestId('assistant-text')).toBeVisible();
      await expect(page.getByTestId('stop')).toBeVisible();
      await check('streaming');
      await page.keyboard.press('Escape');
      await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'aborted');
    }
  }
  console.log(`axe: ${states.length} states checked, ${report.length} violations`);
  expect(report, `axe violations:\n${report.join('\n')}`).toEqual([]);
});

/** Presses Tab (or Shift+Tab) until `target` has focus; fails if it never comes. */
async function tabTo(page: Page, target: Locator, back = false) {
  for (let i = 0; i < 80; i++) {
    if (await target.evaluate((el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement))
      return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  await expect(target).toBeFocused();
}

test('a whole conversation with the keyboard only: focus is where the next key is needed', async ({
  page,
  shared: app,
}) => {
  const slow = { scenario: 'sim-text', ttftMs: 20, tpotMs: 300 } as const;
  await app.settings.update({ sim: slow });
  await page.setViewportSize({ width: 1280, height: 800 });
  await app.open(page);
  const composer = page.getByTestId('composer-input');
  const heading = page.locator('.conversation-heading');

  // Open: the message box has focus.
  await expect(composer).toBeFocused();

  // Type and send: focus stays in the box while the answer streams.
  await page.keyboard.type('Walk me through rivers');
  await page.keyboard.press('Enter');
  const stop = page.getByTestId('stop');
  await expect(stop).toBeVisible();
  await expect(composer).toBeFocused();

  // Stop, from its button: named with its conversation; the box has focus after it is replaced.
  await page.keyboard.press('Tab');
  await expect(stop).toBeFocused();
  await expect(stop).toHaveAccessibleName('Stop answer in “Walk me through rivers”');
  await page.keyboard.press('Enter');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'aborted');
  await expect(composer).toBeFocused();
  expect((await active(page)).tag).toBe('TEXTAREA');

  // A new conversation: the box has focus again.
  await tabTo(page, page.getByTestId('new-chat'), true);
  await page.keyboard.press('Enter');
  await expect(heading).toHaveText('New chat');
  await expect(composer).toBeFocused();

  // An answer that fails, then Retry: the Retry button goes with the failed answer, focus does not.
  await app.settings.update({ sim: { scenario: 'sim-overloaded-midstream', ...FAST } });
  await page.keyboard.type('Tell me about deltas');
  await page.keyboard.press('Enter');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'error', { timeout: 30_000 });
  await expect(composer).toBeFocused();
  await app.settings.update({ sim: slow });
  const retry = lastAnswer(page).getByTestId('retry');
  await tabTo(page, retry, true);
  await page.keyboard.press('Enter');
  await expect(stop).toBeVisible();
  await expect(composer).toBeFocused();
  // Esc stops from anywhere, once the retried answer is streaming; focus stays in the box.
  await expect
    .poll(
      async () => (await lastAnswer(page).getByTestId('assistant-text').allTextContents()).join('').length,
    )
    .toBeGreaterThan(0);
  await page.keyboard.press('Escape');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'aborted');
  await expect(composer).toBeFocused();

  // Settings: focus goes in, and back to the Settings button when it closes.
  const settingsButton = page.getByTestId('settings-button');
  await tabTo(page, settingsButton, true);
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('settings-panel');
  await expect(panel).toBeVisible();
  expect(
    await panel.evaluate((el) => el.contains((el.ownerDocument as { activeElement: never }).activeElement)),
  ).toBe(true);
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(settingsButton).toBeFocused();

  // The shortcut comes back to the box from anywhere.
  await page.keyboard.press('Control+/');
  await expect(composer).toBeFocused();

  // Switch to the first conversation: the box has focus, the heading says which one is open.
  const first = page.locator('.conversation-open', { hasText: 'Walk me through rivers' });
  await tabTo(page, first, true);
  await page.keyboard.press('Enter');
  await expect(heading).toHaveText('Walk me through rivers');
  await expect(composer).toBeFocused();
});

test('the skip link is the first Tab stop, and leads to the message box', async ({ page, shared: app }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await app.open(page);
  const composer = page.getByTestId('composer-input');
  await expect(composer).toBeFocused();
  // Back from the box to the skip link; one more Shift+Tab leaves the page: nothing comes before it.
  const skip = page.getByRole('link', { name: 'Skip to message box' });
  await tabTo(page, skip, true);
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Shift+Tab');
  expect((await active(page)).tag).toBe('BODY');
  await page.keyboard.press('Tab');
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(composer).toBeFocused();
  await expect(page.locator('.composer-hint')).toContainText('Ctrl+/');
});

type Indicator = { what: string; color: string; width: number; background: string };

/** What shows where focus is: the outline (or, for the message box, its ring), and what it is drawn on. */
const indicatorOfActive = (page: Page): Promise<Indicator> =>
  page.evaluate(() => {
    type Css = {
      outlineStyle: string;
      outlineWidth: string;
      outlineColor: string;
      borderTopColor: string;
      boxShadow: string;
      backgroundColor: string;
    };
    type Node = {
      tagName: string;
      className: unknown;
      parentElement: Node | null;
      closest(s: string): Node | null;
      getAttribute(n: string): string | null;
      textContent: string | null;
    };
    const w = globalThis as unknown as { document: { activeElement: Node }; getComputedStyle(n: Node): Css };
    const el = w.document.activeElement;
    const what = `${el.tagName.toLowerCase()} ${el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().slice(0, 30)}`;
    const composer = el.closest('.composer');
    const boxed = composer ?? el.closest('.search') ?? el;
    const css = w.getComputedStyle(boxed);
    let color = '';
    let width = 0;
    if (composer) {
      // The border and a 1px shadow of the same colour make a 2px ring.
      color = css.borderTopColor;
      width = css.boxShadow.startsWith(color) ? 2 : 1;
    } else if (css.outlineStyle !== 'none') {
      color = css.outlineColor;
      width = parseFloat(css.outlineWidth);
    }
    let node: Node | null = boxed.parentElement;
    let background = 'rgb(255, 255, 255)';
    while (node) {
      const bg = w.getComputedStyle(node).backgroundColor;
      if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') {
        background = bg;
        break;
      }
      node = node.parentElement;
    }
    return { what, color, width, background };
  });

function contrast(a: string, b: string): number {
  const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const lum = (c: string) => {
    const [r = 0, g = 0, b = 0] = rgb(c).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [x, y] = [lum(a), lum(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

test('every Tab stop shows a focus indicator of 2px at 3:1, light and dark', async ({
  page,
  shared: app,
}) => {
  const title = await storeTurn(app, 'Focus rings on rivers', { sim: { scenario: 'sim-text', ...FAST } });
  await page.setViewportSize({ width: 1280, height: 800 });
  const problems: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await app.open(page);
    await openConversation(page, title);
    await page.keyboard.press('Control+/');
    const seen = new Set<string>();
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press('Tab');
      const ind = await indicatorOfActive(page);
      // Past the last stop focus leaves the page for the browser's own controls.
      if (ind.what.startsWith('body') || seen.has(ind.what)) continue;
      seen.add(ind.what);
      const ratio = ind.color ? contrast(ind.color, ind.background) : 0;
      if (ind.width < 2 || ratio < 3)
        problems.push(
          `${scheme}: ${ind.what}: ${ind.width}px ${ind.color || 'no indicator'} on ${ind.background} (${ratio.toFixed(2)}:1)`,
        );
    }
    expect(seen.size).toBeGreaterThan(15);
    // The runbook's text area, reached from its button by keyboard.
    await tabTo(page, page.getByTestId('runbook-button'));
    await page.keyboard.press('Enter');
    await expect(page.locator('.runbook-body')).toBeFocused();
    const ind = await indicatorOfActive(page);
    if (ind.width < 2 || contrast(ind.color, ind.background) < 3)
      problems.push(`${scheme}: runbook text: ${JSON.stringify(ind)}`);
    await page.keyboard.press('Escape');
  }
  expect(problems).toEqual([]);
});

test('reduced motion: nothing animates while an answer streams', async ({ page, shared: app }) => {
  // A long wait for the first token: the phase line's dot pulses while nothing else moves (once
  // text streams, the text is the motion and the dot holds still).
  await app.settings.update({ sim: { scenario: 'sim-text', ttftMs: 8000, tpotMs: 300 } });
  await page.setViewportSize({ width: 1280, height: 800 });
  await app.open(page);
  await send(page, 'Stream with and without motion');
  await expect(lastAnswer(page).getByTestId('phase-line')).toHaveAttribute(
    'data-phase',
    /connecting|waiting/,
  );
  const running = () =>
    page.evaluate(
      () =>
        (globalThis as unknown as { document: { getAnimations(): unknown[] } }).document.getAnimations()
          .length,
    );
  // By default the phase line's dot pulses …
  await expect.poll(running).toBeGreaterThan(0);
  // … and with prefers-reduced-motion it does not, nor does anything else.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect.poll(running).toBe(0);
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'streaming');
  await page.keyboard.press('Escape');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
});

test('at 200% (1280 × 720 zoomed: 640 × 360 CSS px) nothing is clipped and every control is reachable', async ({
  page,
  shared: app,
}) => {
  const title = await storeTurn(app, 'Zoomed rivers', { sim: { scenario: 'sim-text', ...FAST } });
  await page.setViewportSize({ width: 640, height: 360 });
  await page.emulateMedia({ colorScheme: 'light' });
  await app.open(page);
  const overflow = () =>
    page.evaluate(() => {
      type R = { left: number; right: number; width: number };
      type E = {
        getBoundingClientRect(): R;
        getAttribute(n: string): string | null;
        tagName: string;
        checkVisibility(): boolean;
      };
      const w = globalThis as unknown as {
        innerWidth: number;
        document: {
          documentElement: { scrollWidth: number; clientWidth: number };
          querySelectorAll(s: string): ArrayLike<E>;
        };
      };
      const out: string[] = [];
      const doc = w.document.documentElement;
      if (doc.scrollWidth > doc.clientWidth)
        out.push(`the page scrolls sideways (${doc.scrollWidth} > ${doc.clientWidth})`);
      for (const el of Array.from(w.document.querySelectorAll('button, input, select, textarea, a[href]'))) {
        if (!el.checkVisibility()) continue;
        const r = el.getBoundingClientRect();
        if (
          r.width > 0 &&
          (r.left < -1 || r.right > w.innerWidth + 1) &&
          !el.getAttribute('class')?.includes('skip-link')
        )
          out.push(
            `${el.tagName} ${el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? ''} at ${Math.round(r.left)}–${Math.round(r.right)}`,
          );
      }
      return out;
    });
  expect(await overflow()).toEqual([]);

  // The sidebar's controls are behind the menu button, by keyboard.
  const toggle = page.getByTestId('nav-toggle');
  await tabTo(page, toggle, true);
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('new-chat')).toBeFocused();
  for (const id of ['settings-button', 'runbook-button', 'theme-toggle', 'conversation-search'])
    await expect(page.getByTestId(id)).toBeInViewport();
  expect(await overflow()).toEqual([]);
  await tabTo(page, page.locator('.conversation-open', { hasText: title }));
  await page.keyboard.press('Enter');
  await expect(page.locator('.conversation-heading')).toHaveText(title);
  await expect(page.getByTestId('composer-input')).toBeFocused();
  await expect(page.locator('#sidebar')).toBeHidden();
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete');
  expect(await overflow()).toEqual([]);

  // Settings fits and scrolls; its last control is reachable.
  await tabTo(page, toggle, true);
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByTestId('settings-button'));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('settings-panel')).toBeVisible();
  await tabTo(page, page.getByTestId('settings-save'));
  await expect(page.getByTestId('settings-save')).toBeInViewport();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('settings-button')).toBeFocused();
  // Esc closes the drawer, back to its button.
  await page.keyboard.press('Escape');
  await expect(page.locator('#sidebar')).toBeHidden();
  await expect(toggle).toBeFocused();
});
