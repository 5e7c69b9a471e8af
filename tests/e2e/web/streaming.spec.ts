// Streaming text in the browser twin: tokens appear as they are produced, Stop (button or Esc)
// stops the model itself, and with no reconnect grace a reload mid-stream closes the upstream too.
import type { Page } from '@playwright/test';
import { expect, snap, test, type WebApp } from '../support/fixtures';
import { copiedText, lastAnswer, numberAttr, sampleAnswer, send } from '../support/page';
import { deltasIn, simTextDeltas } from '../support/sim';
import { storedAnswer, storedText } from '../support/stored';

// Slow enough that at most one delta can be in flight between the provider and the screen when
// the person stops, even on a loaded machine.
const SLOW_TPOT_MS = 150;

test('tokens appear one by one, and the footer shows both processes’ numbers', async ({ page, sluice }) => {
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 300, tpotMs: 30 } },
    simTokens: 120,
  });
  await app.open(page);
  await send(page, 'Tell me about rivers');
  const sampling = sampleAnswer(page, 30_000);
  const text = lastAnswer(page).getByTestId('assistant-text');
  await expect.poll(async () => (await text.textContent())?.length ?? 0).toBeGreaterThan(150);
  await snap(page, 'tokens-streaming');
  const samples = await sampling;

  const final = samples.at(-1);
  expect(final?.outcome).toBe('complete');
  const finalLength = final?.text.length ?? 0;
  // Before the first token the page said what it was waiting for; then the text grew in many
  // small steps, never in one late lump.
  const firstText = samples.findIndex((s) => s.text.length > 0);
  expect(samples.slice(0, firstText).some((s) => s.phase === 'waiting' || s.phase === 'connecting')).toBe(
    true,
  );
  const lengths = samples.slice(firstText).map((s) => s.text.length);
  expect(new Set(lengths).size).toBeGreaterThanOrEqual(30);
  const biggestStep = Math.max(...lengths.slice(1).map((l, i) => l - (lengths[i] ?? 0)));
  expect(biggestStep).toBeLessThan(finalLength / 5);

  const footer = lastAnswer(page).getByTestId('metrics-footer');
  await expect(footer).toContainText('first token');
  await expect(footer).toContainText('(in the window');
  const ttft = await numberAttr(footer, 'data-ttft-ms');
  const total = await numberAttr(footer, 'data-total-ms');
  const hereTtft = await numberAttr(footer, 'data-here-ttft-ms');
  const hereTotal = await numberAttr(footer, 'data-here-total-ms');
  // The provider holds its first token back for the configured TTFT; timers are only ever late.
  expect(ttft).toBeGreaterThanOrEqual(300);
  expect(ttft).toBeLessThan(total / 2);
  expect(hereTtft).toBeLessThan(hereTotal / 2);
  // The window sees the first token after the main process does.
  expect(hereTtft).toBeGreaterThanOrEqual(ttft);
});

/**
 * Starts a slow answer, stops it once some text is on screen, and proves the stop reached the
 * provider: the deltas it wrote are the ones the page showed, at most one more (in flight).
 */
async function stopMidAnswer(page: Page, app: WebApp, stop: () => Promise<void>) {
  const prompt = 'Tell me about mountains';
  await app.open(page);
  await send(page, prompt);
  const answer = lastAnswer(page);
  const text = answer.getByTestId('assistant-text');
  await expect.poll(async () => (await text.textContent())?.length ?? 0).toBeGreaterThan(40);
  await stop();
  await expect(answer).toHaveAttribute('data-outcome', 'aborted');
  await expect(answer.getByTestId('stopped-notice')).toHaveText('Stopped');
  const atStop = await text.textContent();
  await page.waitForTimeout(4 * SLOW_TPOT_MS);
  expect(await text.textContent()).toBe(atStop);
  const shown = await copiedText(page, answer);

  await expect.poll(() => app.simLog.length).toBe(1);
  const [entry] = app.simLog;
  expect(entry?.reason).toBe('client-closed');
  const deltas = await simTextDeltas(app, prompt);
  const onScreen = deltasIn(deltas, shown);
  expect(onScreen).toBeGreaterThan(0);
  expect(entry?.tokensGenerated).toBeGreaterThanOrEqual(onScreen);
  expect(entry?.tokensGenerated).toBeLessThanOrEqual(onScreen + 1);
  expect(entry?.tokensGenerated).toBeLessThan(deltas.length);
  return { answer, shown, onScreen, deltas, generated: entry?.tokensGenerated ?? -1 };
}

test('Stop stops the model; the partial answer is kept and stored', async ({ page, sluice }) => {
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 100, tpotMs: SLOW_TPOT_MS } },
  });
  const run = await stopMidAnswer(page, app, () => page.getByTestId('stop').click());
  await snap(page, 'stopped');

  // The main process stored what it had received: what the page showed, plus at most the one
  // delta that was on its way to the screen when Stop was clicked (the page drops it on purpose).
  const stored = await storedAnswer(app, 'aborted');
  const storedCount = deltasIn(run.deltas, storedText(stored));
  expect(storedCount).toBeGreaterThanOrEqual(run.onScreen);
  expect(storedCount).toBeLessThanOrEqual(run.generated);

  await page.reload();
  await page.getByTestId('conversation-item').first().click();
  const reloaded = lastAnswer(page);
  await expect(reloaded).toHaveAttribute('data-outcome', 'aborted');
  await expect(reloaded.getByTestId('stopped-notice')).toBeVisible();
  expect(await copiedText(page, reloaded)).toBe(storedText(stored));
});

test('Esc stops the model too', async ({ page, sluice }) => {
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 100, tpotMs: SLOW_TPOT_MS } },
  });
  await stopMidAnswer(page, app, () => page.keyboard.press('Escape'));
  await expect(page.getByTestId('send')).toBeVisible();
});

test('with no reconnect grace, reloading the page mid-stream stops the upstream and keeps the partial answer, Interrupted', async ({
  page,
  sluice,
}) => {
  // With a grace period the turn would wait for the reloaded page instead (resume.spec.ts).
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 100, tpotMs: SLOW_TPOT_MS }, resumeGraceMs: 0 },
  });
  const prompt = 'Tell me about lakes';
  await app.open(page);
  await send(page, prompt);
  const text = lastAnswer(page).getByTestId('assistant-text');
  await expect.poll(async () => (await text.textContent())?.length ?? 0).toBeGreaterThan(40);
  await page.reload();

  await expect.poll(() => app.simLog.length).toBe(1);
  const [entry] = app.simLog;
  expect(entry?.reason).toBe('client-closed');
  const stored = await storedAnswer(app, 'aborted');
  const deltas = await simTextDeltas(app, prompt);
  const storedCount = deltasIn(deltas, storedText(stored));
  expect(storedCount).toBeGreaterThan(0);
  expect(storedCount).toBeLessThanOrEqual(entry?.tokensGenerated ?? -1);
  expect(entry?.tokensGenerated).toBeLessThan(deltas.length);

  await expect(page.getByTestId('send')).toBeVisible();
  await page.getByTestId('conversation-item').first().click();
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'aborted');
  await expect(answer.getByTestId('interrupted-notice')).toBeVisible();
  expect(stored.abortReason).toBe('client-closed');
  expect(await copiedText(page, answer)).toBe(storedText(stored));
  await snap(page, 'reloaded-partial');
});
