// Reading a streaming answer in the browser twin: the thinking panel follows its newest text, renders
// markdown and folds to one line once the answer starts; the message list stops following at the
// first wheel notch up and offers "Jump to latest", which returns to the bottom and follows again.
import { expect, snap, test } from '../support/fixtures';
import { box, fromBottom, lastAnswer, send } from '../support/page';

test('the thinking panel follows its newest text, then folds to "Thought for … · … words" and opens again', async ({
  page,
  sluice,
}) => {
  test.setTimeout(60_000);
  const app = await sluice({
    settings: {
      sim: { scenario: 'sim-reasoning', ttftMs: 50, tpotMs: 20 },
      thinking: { enabled: true, budgetTokens: 2048 },
    },
    simDefaults: { thinkingMs: 3000 },
  });
  await app.open(page);
  await send(page, 'Think hard about queues');
  const panel = lastAnswer(page).getByTestId('thinking-panel');
  const toggle = panel.locator('.thinking-toggle');
  const text = panel.locator('.thinking-text');
  await expect(panel).toHaveAttribute('data-streaming', 'true');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(panel.getByTestId('thinking-summary')).toHaveText(/^Thinking… · [\d,]+ words?$/);

  // Once it overflows its box, the box keeps its newest text in view as it grows.
  await expect.poll(async () => (await box(text)).height - (await box(text)).client).toBeGreaterThan(40);
  const first = await box(text);
  await expect.poll(async () => (await box(text)).height).toBeGreaterThan(first.height + 40);
  const later = await box(text);
  expect(fromBottom(later)).toBeLessThanOrEqual(4);
  expect(later.top).toBeGreaterThan(first.top);
  // The reasoning is rendered as markdown (paragraphs), not shown raw.
  await expect(text.getByTestId('thinking-text').locator('p').first()).toBeVisible();
  await expect(lastAnswer(page).getByTestId('assistant-text')).toHaveCount(0);
  await snap(page, 'reading-thinking-follows');

  // The answer starts: the panel folds to one line with its duration and word count.
  await expect(toggle).toHaveAttribute('aria-expanded', 'false', { timeout: 20_000 });
  await expect(panel.getByTestId('thinking-summary')).toHaveText(/^Thought for \d+\.\d s · [\d,]+ words$/);
  await expect(text).toBeHidden();
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await expect(panel.getByTestId('thinking-summary')).toHaveText(/^Thought for \d+\.\d s · [\d,]+ words$/);
  await panel.scrollIntoViewIfNeeded();
  await snap(page, 'reading-thinking-collapsed');

  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(text).toBeVisible();
  expect((await text.textContent())?.length ?? 0).toBeGreaterThan(300);
  // Opening a panel after the turn is not new text: no Jump to latest.
  await expect(page.getByTestId('jump-to-latest')).toHaveCount(0);
  await panel.scrollIntoViewIfNeeded();
  await snap(page, 'reading-thinking-expanded');

  // Reopened from storage there are no delta timings: the line says so plainly.
  await page.reload();
  await page.getByTestId('conversation-item').first().locator('.conversation-open').click();
  await expect(lastAnswer(page).getByTestId('thinking-summary')).toHaveText(/^Thought · [\d,]+ words$/);
});

test('one wheel notch up stops following; Jump to latest returns to the bottom and follows again', async ({
  page,
  sluice,
}) => {
  test.setTimeout(60_000);
  await page.setViewportSize({ width: 1280, height: 600 });
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 50, tpotMs: 25 } },
    simTokens: 1500,
  });
  await app.open(page);
  await send(page, 'Tell me a long story about rivers');
  const list = page.getByTestId('message-list');
  const jump = page.getByTestId('jump-to-latest');

  // Streaming and overflowing: the list follows the bottom.
  await expect
    .poll(async () => (await box(list)).height - (await box(list)).client, { timeout: 20_000 })
    .toBeGreaterThan(150);
  expect(fromBottom(await box(list))).toBeLessThanOrEqual(4);
  await expect(jump).toHaveCount(0);

  const rect = await list.boundingBox();
  if (!rect) throw new Error('no message list');
  await page.mouse.move(rect.x + rect.width / 2, rect.y + rect.height / 2);
  await page.mouse.wheel(0, -120);
  await expect.poll(async () => fromBottom(await box(list))).toBeGreaterThan(40);
  // Let a smooth wheel scroll come to rest, then the view stays put while the text grows below.
  await expect
    .poll(async () => {
      const a = (await box(list)).top;
      await page.waitForTimeout(150);
      return Math.abs((await box(list)).top - a);
    })
    .toBeLessThan(1);
  const stopped = await box(list);
  await expect
    .poll(async () => (await box(list)).height, { timeout: 20_000 })
    .toBeGreaterThan(stopped.height + 60);
  expect(Math.abs((await box(list)).top - stopped.top)).toBeLessThanOrEqual(1);
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'streaming');

  await expect(jump).toBeVisible();
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible();
  await snap(page, 'reading-jump-to-latest');

  await jump.click();
  await expect.poll(async () => fromBottom(await box(list))).toBeLessThanOrEqual(4);
  await expect(jump).toHaveCount(0);
  // Following again: as the text keeps growing the view stays at the bottom.
  const resumed = await box(list);
  await expect
    .poll(async () => (await box(list)).height, { timeout: 20_000 })
    .toBeGreaterThan(resumed.height + 60);
  expect(fromBottom(await box(list))).toBeLessThanOrEqual(4);
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'streaming');
  await snap(page, 'reading-following-again');
});

test('scrolled up, the thinking panel stays put while it grows; back at its bottom it follows again', async ({
  page,
  sluice,
}) => {
  test.setTimeout(60_000);
  const app = await sluice({
    settings: {
      sim: { scenario: 'sim-reasoning', ttftMs: 50, tpotMs: 20 },
      thinking: { enabled: true, budgetTokens: 2048 },
    },
    simDefaults: { thinkingMs: 8000 },
  });
  await app.open(page);
  await send(page, 'Think hard about queues');
  const panel = lastAnswer(page).getByTestId('thinking-panel');
  const text = panel.locator('.thinking-text');
  await expect(panel).toHaveAttribute('data-streaming', 'true');
  await expect.poll(async () => (await box(text)).height - (await box(text)).client).toBeGreaterThan(120);

  const rect = await text.boundingBox();
  if (!rect) throw new Error('no thinking text');
  await page.mouse.move(rect.x + rect.width / 2, rect.y + rect.height / 2);
  await page.mouse.wheel(0, -120);
  await expect.poll(async () => fromBottom(await box(text))).toBeGreaterThan(40);
  await expect
    .poll(async () => {
      const a = (await box(text)).top;
      await page.waitForTimeout(150);
      return Math.abs((await box(text)).top - a);
    })
    .toBeLessThan(1);
  const stopped = await box(text);
  await expect.poll(async () => (await box(text)).height).toBeGreaterThan(stopped.height + 40);
  expect(Math.abs((await box(text)).top - stopped.top)).toBeLessThanOrEqual(1);
  await expect(panel).toHaveAttribute('data-streaming', 'true');
  await snap(page, 'reading-thinking-scrolled-up');

  // The reader scrolls the panel back down to its bottom: it follows again.
  await page.mouse.wheel(0, 5000);
  await expect.poll(async () => fromBottom(await box(text))).toBeLessThanOrEqual(4);
  const resumed = await box(text);
  await expect.poll(async () => (await box(text)).height).toBeGreaterThan(resumed.height + 40);
  expect(fromBottom(await box(text))).toBeLessThanOrEqual(4);
  await expect(panel).toHaveAttribute('data-streaming', 'true');
});

test('a code block is a Tab stop exactly while its code is wider than its box, also as it streams', async ({
  page,
  sluice,
}) => {
  test.setTimeout(60_000);
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 50, tpotMs: 2 } },
    simTokens: 3000,
  });
  await app.open(page);
  await send(page, 'Explain how a token stream reaches the screen');
  const answer = lastAnswer(page);
  // Each block's <pre>: does its code overflow, and is it a Tab stop?
  const blocks = () =>
    answer.locator('[data-testid="code-block"] pre').evaluateAll((pres) =>
      pres.map((p) => ({
        wide: p.scrollWidth > p.clientWidth + 1,
        stop: p.getAttribute('tabindex') === '0',
      })),
    );
  // While it streams, a block that has grown wide has become a Tab stop by the next frames.
  await expect.poll(async () => (await blocks()).some((b) => b.wide)).toBe(true);
  await expect.poll(async () => (await blocks()).every((b) => b.wide === b.stop)).toBe(true);
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await expect.poll(async () => (await blocks()).every((b) => b.wide === b.stop)).toBe(true);
  const settled = await blocks();
  expect(settled.filter((b) => b.wide).length).toBeGreaterThan(0);
  expect(settled.filter((b) => !b.wide).length).toBeGreaterThan(0);
});

test('code is highlighted in a worker, under the page’s own CSP: coloured tokens, and shiki never loads on the page', async ({
  page,
  sluice,
}) => {
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 20, tpotMs: 1 } },
    simTokens: 1500,
  });
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(new URL(w.url()).pathname));
  await app.open(page);
  await send(page, 'Explain how a token stream reaches the screen');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  const block = answer.locator('[data-testid="code-block"][data-highlighted="true"]').first();
  await expect(block).toBeVisible();
  // Coloured: tokens carry both themes' colours as CSS variables (no inline style attribute parsed).
  const colours = await block
    .locator('code span')
    .evaluateAll((spans) =>
      spans.map((s) =>
        (s as unknown as { style: { getPropertyValue(n: string): string } }).style.getPropertyValue(
          '--shiki-light',
        ),
      ),
    );
  expect(colours.filter((c) => c !== '').length).toBeGreaterThan(3);
  expect(workers.filter((w) => /highlight\.worker-[\w-]+\.js$/.test(w))).toHaveLength(1);
  // The page's own resources (a worker keeps its own list) never include shiki's engine or core.
  const onPage = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname),
  );
  expect(onPage.some((p) => p.includes('/assets/'))).toBe(true);
  expect(onPage.filter((p) => /\/(core|engine-javascript)-[\w-]+\.js$/.test(p))).toEqual([]);
});
