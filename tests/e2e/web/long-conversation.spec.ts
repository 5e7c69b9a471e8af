// A long conversation in the browser twin is virtualized: opened, it shows its last message with
// only the rows near the view in the page; a search hit on an early message (not rendered) scrolls
// there and marks it; a new turn at its end streams with the view pinned to the bottom, a wheel
// notch up stops following, and Jump to latest comes back.
import type { Page } from '@playwright/test';
import { generateConversation, seededRng } from '../../support/generate';
import { expect, snap, test } from '../support/fixtures';
import { box, fromBottom, lastAnswer, send } from '../support/page';

const MESSAGES = 120;
const MARKER = 'quokkamarker';
const MARKED = 3;

test.beforeEach(({ page }) => page.setViewportSize({ width: 1280, height: 800 }));

async function longApp(sluice: Parameters<Parameters<typeof test>[2]>[0]['sluice'], tpotMs = 0) {
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 50, tpotMs } },
    ...(tpotMs ? { simTokens: 1500 } : {}),
  });
  const long = generateConversation(seededRng(3), {
    id: 'long-one',
    title: 'A long conversation',
    messages: MESSAGES,
    userChars: 200,
    answerChars: 1500,
    codeShare: 0.4,
    markers: new Map([[MARKED, MARKER]]),
    updatedAt: Date.now(),
  });
  await app.conversations.save(long);
  return { app, long };
}

/** Opens it from the sidebar; it opens at its end. */
async function openLong(page: Page) {
  await page
    .getByTestId('conversation-item')
    .filter({ hasText: 'A long conversation' })
    .getByRole('button')
    .first()
    .click();
  await expect(page.locator('.message-row').last()).toHaveAttribute('data-index', String(MESSAGES - 1));
}

test('opened, a long conversation shows its last message, with only the rows near the view in the page', async ({
  page,
  sluice,
}) => {
  const { app, long } = await longApp(sluice);
  await app.open(page);
  await openLong(page);
  const messages = page.locator('[data-testid="message-list"] [data-testid="message"]');
  await expect(lastAnswer(page)).toBeInViewport();
  const rendered = await messages.count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(30);
  // The first question is not in the page at all.
  const first = long.messages[0];
  if (first?.role !== 'user') throw new Error('the generated conversation starts with a question');
  await expect(page.getByText(first.text.slice(0, 60))).toHaveCount(0);
  expect(fromBottom(await box(page.getByTestId('message-list')))).toBeLessThanOrEqual(4);
  await snap(page, 'long-conversation-opened');
});

test('a search hit on an early message that is not rendered scrolls to it and marks it', async ({
  page,
  sluice,
}) => {
  const { app } = await longApp(sluice);
  await app.open(page);
  await openLong(page);
  await expect(page.getByText(MARKER)).toHaveCount(0);

  await page.getByTestId('conversation-search').fill(MARKER);
  const hits = page.getByTestId('message-hit');
  await expect(hits).toHaveCount(1);
  await hits.first().click();
  const target = page.locator(`.message-row[data-index="${MARKED}"] [data-testid="message"]`);
  await expect(target).toHaveAttribute('data-search-target', 'true');
  await expect(target).toBeInViewport();
  await expect(target).toContainText(MARKER);
  await snap(page, 'long-conversation-search-hit');
});

test('a new turn at the end of a long conversation streams pinned to the bottom; a wheel notch up stops it, Jump to latest returns', async ({
  page,
  sluice,
}) => {
  test.setTimeout(90_000);
  const { app } = await longApp(sluice, 20);
  await app.open(page);
  await openLong(page);
  await send(page, 'One more question about rivers');
  const list = page.getByTestId('message-list');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'streaming', { timeout: 20_000 });
  const streaming = await box(list);
  await expect
    .poll(async () => (await box(list)).height, { timeout: 20_000 })
    .toBeGreaterThan(streaming.height + 100);
  expect(fromBottom(await box(list))).toBeLessThanOrEqual(4);

  const rect = await list.boundingBox();
  if (!rect) throw new Error('no message list');
  await page.mouse.move(rect.x + rect.width / 2, rect.y + rect.height / 2);
  await page.mouse.wheel(0, -240);
  const jump = page.getByTestId('jump-to-latest');
  await expect(jump).toBeVisible({ timeout: 20_000 });
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'streaming');
  expect(fromBottom(await box(list))).toBeGreaterThan(40);

  await jump.click();
  await expect.poll(async () => fromBottom(await box(list))).toBeLessThanOrEqual(4);
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 60_000 });
  await expect.poll(async () => fromBottom(await box(list))).toBeLessThanOrEqual(4);
  await expect(lastAnswer(page)).toBeInViewport();
});
