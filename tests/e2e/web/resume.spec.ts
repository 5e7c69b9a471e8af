// Many streams, none lost, in the browser twin: two conversations stream at once while the person
// switches between them; a reload mid-stream reopens the same conversation and the answer goes on
// to the very text an uninterrupted run gives; a network cut of 3 s reconnects with nothing lost
// or doubled; and a page that closes and never comes back has its turn stopped after the grace
// period (the provider logs client-closed) and stored as Interrupted.
import type { ServerResponse } from 'node:http';
import type { Page } from '@playwright/test';
import { expect, snap, test, type WebApp } from '../support/fixtures';
import { copiedText, lastAnswer, send } from '../support/page';
import { simTextDeltas } from '../support/sim';
import { storedAnswer, storedText } from '../support/stored';

const TOKENS = 70;
const tokens = { 'x-sluice-sim-tokens': String(TOKENS) };
const settings = (tpotMs: number, extra: Record<string, unknown> = {}) => ({
  settings: { sim: { scenario: 'sim-text' as const, ttftMs: 100, tpotMs }, ...extra },
  simTokens: TOKENS,
});

/** What an uninterrupted run of `prompt` says: the simulated provider is deterministic per prompt. */
const uninterrupted = async (app: WebApp, prompt: string) =>
  (await simTextDeltas(app, prompt, { headers: tokens })).join('');

const item = (page: Page, title: string) => page.getByTestId('conversation-item').filter({ hasText: title });
const textLength = async (page: Page) =>
  (await lastAnswer(page).getByTestId('assistant-text').textContent())?.length ?? 0;

test('two conversations stream at once; switching between them never stops either, and both end exact', async ({
  page,
  sluice,
}) => {
  const app = await sluice(settings(60));
  await app.open(page);
  await send(page, 'Tell me about rivers');
  await expect.poll(() => textLength(page)).toBeGreaterThan(20);
  await page.getByTestId('new-chat').click();
  await send(page, 'Tell me about glaciers');
  await expect.poll(() => textLength(page)).toBeGreaterThan(20);

  // Both say they are answering, in words.
  await expect(item(page, 'Tell me about rivers').getByTestId('conversation-live')).toHaveText('Answering…');
  await expect(item(page, 'Tell me about glaciers').getByTestId('conversation-live')).toHaveText(
    'Answering…',
  );
  await snap(page, 'two-streaming');
  // Back to the first, mid-stream: it is live and caught up, then finishes.
  await item(page, 'Tell me about rivers').locator('.conversation-open').click();
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'streaming');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 20_000 });
  const rivers = await copiedText(page, lastAnswer(page));
  await item(page, 'Tell me about glaciers').locator('.conversation-open').click();
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 20_000 });
  const glaciers = await copiedText(page, lastAnswer(page));
  await expect(page.getByTestId('conversation-live')).toHaveCount(0);
  expect(app.simLog.map((e) => e.reason)).toEqual(['complete', 'complete']);
  expect(rivers).toBe(await uninterrupted(app, 'Tell me about rivers'));
  expect(glaciers).toBe(await uninterrupted(app, 'Tell me about glaciers'));
});

test('a reload mid-stream reopens the same conversation, and the answer goes on to an uninterrupted run’s text', async ({
  page,
  sluice,
}) => {
  const app = await sluice(settings(60));
  const prompt = 'Tell me about lakes';
  await app.open(page);
  await send(page, prompt);
  await expect.poll(() => textLength(page)).toBeGreaterThan(40);
  await expect(page).toHaveURL(/#\/c\/[0-9a-f-]+$/);
  const address = page.url();
  await page.reload();

  expect(page.url()).toBe(address);
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'streaming');
  await expect(page.getByTestId('stop')).toBeVisible();
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 20_000 });
  expect(app.simLog.map((e) => e.reason)).toEqual(['complete']); // one request, never stopped
  const expected = await uninterrupted(app, prompt);
  expect(await copiedText(page, answer)).toBe(expected);
  expect(storedText(await storedAnswer(app, 'complete'))).toBe(expected);
  await snap(page, 'reloaded-resumed');
});

test('the page’s network cut for 3 s mid-stream: it reconnects, and nothing is lost or doubled', async ({
  page,
  sluice,
}) => {
  const app = await sluice(settings(50));
  const prompt = 'Tell me about deltas';
  await app.open(page);
  await send(page, prompt);
  await expect.poll(() => textLength(page)).toBeGreaterThan(30);
  const attaches: (string | null)[] = [];
  page.on('request', (r) => {
    if (/\/api\/turns\/[^/]+\/events$/.test(r.url())) attaches.push(r.headers()['last-event-id'] ?? null);
  });
  // Offline emulation fails every new request but leaves an open stream be: the page's open
  // stream is cut at its socket (as a dropped network cuts it), and for 3 s nothing gets through.
  await page.context().setOffline(true);
  const [running] = app.service.listLiveTurns();
  const sink = app.service.feedOf(running?.turnId ?? '')?.attached as unknown as {
    res: ServerResponse;
  } | null;
  sink?.res.socket?.destroy();
  await page.waitForTimeout(3000);
  const failedWhileOffline = attaches.length;
  await page.context().setOffline(false);

  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 20_000 });
  expect(app.simLog.map((e) => e.reason)).toEqual(['complete']);
  expect(await copiedText(page, answer)).toBe(await uninterrupted(app, prompt));
  expect(sink).not.toBeNull();
  expect(failedWhileOffline).toBeGreaterThanOrEqual(1); // it kept trying while the network was down
  expect(attaches.length).toBeGreaterThan(failedWhileOffline);
  expect(attaches.at(-1)).toMatch(/^[0-9a-f]{8}\.\d+$/);
});

test('a page closed mid-stream that never comes back: after the grace period the provider sees client-closed, and the partial reads Interrupted', async ({
  page,
  context,
  sluice,
}) => {
  const app = await sluice(settings(100, { resumeGraceMs: 1500 }));
  await app.open(page);
  await send(page, 'Tell me about oceans');
  await expect.poll(() => textLength(page)).toBeGreaterThan(30);
  await page.close();
  const closedAt = Date.now();

  await expect.poll(() => app.simLog.length, { timeout: 15_000 }).toBe(1);
  expect(app.simLog[0]?.reason).toBe('client-closed');
  expect(Date.now() - closedAt).toBeGreaterThanOrEqual(1400);
  console.log(`simulated provider: ${JSON.stringify(app.simLog[0])}`);
  const stored = await storedAnswer(app, 'aborted');
  expect(stored.abortReason).toBe('client-closed');

  const again = await context.newPage();
  await app.open(again);
  await item(again, 'Tell me about oceans').locator('.conversation-open').click();
  await expect(lastAnswer(again).getByTestId('interrupted-notice')).toContainText('Interrupted');
  await expect(lastAnswer(again).getByTestId('stopped-notice')).toHaveCount(0);
  expect(await copiedText(again, lastAnswer(again))).toBe(storedText(stored));
  await snap(again, 'interrupted');
});
