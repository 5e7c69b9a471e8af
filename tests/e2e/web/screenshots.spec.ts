// The main states of the app, light and dark, saved to test-results/screenshots/ for review.
// Each state is asserted before it is captured, so a screenshot never shows the wrong thing.
import { expect, snap, test } from '../support/fixtures';
import { lastAnswer, send } from '../support/page';
import type { SimScenario } from '../../../src/shared/protocol';

for (const scheme of ['light', 'dark'] as const) {
  test(`screenshots of the main states (${scheme})`, async ({ page, sluice }) => {
    test.setTimeout(90_000);
    await page.emulateMedia({ colorScheme: scheme });
    const app = await sluice({
      settings: { sim: { scenario: 'sim-text', ttftMs: 100, tpotMs: 40 } },
      simTokens: 80,
      simDefaults: { thinkingMs: 4000 },
    });
    const shot = (name: string) => snap(page, `${scheme}-${name}`);
    const useScenario = (scenario: SimScenario, tpotMs: number) =>
      app.settings.update({ sim: { scenario, ttftMs: 100, tpotMs } });
    const answer = lastAnswer(page);
    const lengthOf = async (selector: string) =>
      (await answer.locator(selector).first().textContent())?.length ?? 0;
    const newChat = () => page.getByTestId('new-chat').click();

    await app.open(page);
    await expect(page.locator('.empty-state')).toBeVisible();
    await shot('empty');

    await send(page, 'Tell me about rivers');
    await expect.poll(() => lengthOf('[data-testid="assistant-text"]')).toBeGreaterThan(200);
    await expect(answer).toHaveAttribute('data-outcome', 'streaming');
    await shot('streaming-text');
    await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });

    await newChat();
    await useScenario('sim-tool', 80);
    await send(page, 'What is 17.5 * 4?');
    await expect.poll(() => lengthOf('[data-testid="tool-raw-input"]')).toBeGreaterThan(25);
    await shot('tool-raw-args');
    await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
    await expect(answer.getByTestId('tool-result')).toContainText('70');
    await shot('tool-parsed-result');

    await newChat();
    await useScenario('sim-reasoning', 30);
    await send(page, 'Think hard about queues');
    await expect.poll(() => lengthOf('.thinking-text')).toBeGreaterThan(200);
    await expect(answer.getByTestId('phase-line')).toHaveAttribute('data-phase', 'thinking');
    await shot('thinking');
    await page.keyboard.press('Escape');
    await expect(answer).toHaveAttribute('data-outcome', 'aborted');

    await newChat();
    await useScenario('sim-overloaded-midstream', 20);
    await send(page, 'Tell me about lakes');
    await expect(answer).toHaveAttribute('data-outcome', 'error', { timeout: 30_000 });
    await expect(answer.getByTestId('retry')).toBeVisible();
    await shot('error-retry');

    await page.getByTestId('settings-button').click();
    await expect(page.getByTestId('settings-panel')).toBeVisible();
    await shot('settings');
  });
}
