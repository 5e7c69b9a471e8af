// Tokens and cost in the browser twin: an answer's tokens and its cost at the person's own dated
// prices, the conversation's totals and its context gauge, the window's numbers still there after
// a reload; a price file that cannot be used is named in Settings. Light and dark, 1280 and 390 px.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, snap, test, type WebApp } from '../support/fixtures';
import { lastAnswer, send } from '../support/page';
import { storedAnswer } from '../support/stored';

/** The person's prices.json: the simulated sim-text priced as if it were a paid model, with a small window. */
const OWN_PRICES = {
  models: [
    {
      provider: 'simulated',
      model: 'sim-text',
      name: 'Simulated, priced for this test',
      input: 3,
      output: 15,
      contextWindow: 2000,
      asOf: '2026-11-01',
      source: 'this test',
    },
  ],
};

async function pricedApp(sluice: (o?: object) => Promise<WebApp>) {
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 } },
    simTokens: 120,
  });
  await writeFile(join(app.dataDir, 'prices.json'), JSON.stringify(OWN_PRICES));
  return app;
}

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1280, 390]) {
    test(`an answer's tokens and dated cost, the totals and the gauge, kept after a reload (${scheme}, ${width} px)`, async ({
      page,
      sluice,
    }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 800 });
      const app = await pricedApp(sluice);
      await app.open(page);
      await send(page, 'Tell me about rivers');
      const answer = lastAnswer(page);
      await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
      const stored = await storedAnswer(app, 'complete');
      const input = stored.usage?.input ?? 0;
      const output = stored.usage?.output ?? 0;
      expect(output).toBeGreaterThan(0);
      const usd = (input * 3 + output * 15) / 1e6;

      const line = answer.getByTestId('usage-line');
      await expect(line).toHaveAttribute('data-input', String(input));
      await expect(line).toHaveAttribute('data-output', String(output));
      await expect(line).toContainText(`output ${output.toLocaleString('en-US')}`);
      await expect(line.getByTestId('cost')).toHaveText(`$${usd.toFixed(4)} · prices as of 2026-11-01`);
      await expect(line.locator('.metric').first()).toHaveAttribute('title', /^Input tokens: /);
      const footer = answer.getByTestId('metrics-footer');
      await expect(footer).toContainText('(in the window');

      const totals = page.getByTestId('conversation-totals');
      await expect(totals).toHaveText(
        `${input.toLocaleString('en-US')} in · ${output.toLocaleString('en-US')} out · $${usd.toFixed(4)} · prices as of 2026-11-01`,
      );
      const gauge = page.getByTestId('context-gauge');
      const context = input + output;
      await expect(gauge).toContainText(`context ${context.toLocaleString('en-US')} of 2,000 tokens`);
      await expect(gauge.getByRole('meter')).toHaveAttribute('aria-valuenow', String(context));
      await expect(totals).toBeInViewport();
      await expect(gauge).toBeInViewport();
      await snap(page, `usage-${scheme}-${width}`);

      // Reopened after a reload: the same tokens and cost, and the window's numbers were stored.
      await page.reload();
      // A narrow window keeps the conversations in a drawer.
      if (width < 700) await page.getByTestId('nav-toggle').click();
      await page.getByTestId('conversation-item').first().click();
      const again = lastAnswer(page).getByTestId('metrics-footer');
      await expect(again).toContainText('(in the window');
      await expect(again.getByTestId('cost')).toHaveText(`$${usd.toFixed(4)} · prices as of 2026-11-01`);
      const kept = await storedAnswer(app, 'complete');
      expect(kept.windowMetrics?.totalMs).toBeGreaterThan(0);
      await expect(again).toHaveAttribute(
        'data-here-ttft-ms',
        String(Math.round(kept.windowMetrics!.ttftMs!)),
      );
      if (width === 1280) await snap(page, `usage-${scheme}-reopened`);
    });
  }
}

test('a price file that cannot be used is named in Settings; a local model with no price says where to add one', async ({
  page,
  sluice,
}) => {
  const app = await sluice({
    settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 } },
  });
  const file = join(app.dataDir, 'prices.json');
  const broken = '{"models": [{"provider": "simulated", "model": "*"}]}';
  await writeFile(file, broken);
  await app.open(page);
  await send(page, 'Hello');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  // The file is not used: the shipped table prices the simulated provider, at no charge.
  await expect(answer.getByTestId('cost')).toHaveText('$0.00 · simulated provider, no charge');
  await page.getByTestId('settings-button').click();
  const problem = page.getByTestId('prices-problem');
  await expect(problem).toContainText(`Your prices in ${file} are not used`);
  await expect(problem).toContainText('models.0.input');
  await expect(page.getByTestId('prices-file')).toHaveText(file);
  await page.getByTestId('prices-section').scrollIntoViewIfNeeded();
  await snap(page, 'usage-prices-problem');
  expect(await readFile(file, 'utf8')).toBe(broken);

  // A local Ollama model (the simulated provider's Chat Completions endpoint) has no price in the table.
  await page.keyboard.press('Escape');
  const base = `${await app.service.simulator.url()}/ollama/v1`;
  await app.settings.update({
    provider: 'ollama',
    providers: [{ id: 'ollama', preset: 'ollama', name: 'Ollama', baseURL: base, model: 'sim-text' }],
  });
  await page.reload();
  await page.getByTestId('new-chat').click();
  await send(page, 'Hello again');
  const local = lastAnswer(page);
  await expect(local).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await expect(local.getByTestId('usage-line')).toHaveAttribute('data-cost', 'unknown');
  await expect(local.getByTestId('cost')).toHaveText(
    'No price is known for sim-text. Add an entry to prices.json in the data directory (README: Tokens and cost).',
  );
  await expect(page.getByTestId('totals-unpriced')).toHaveText('1 answer has no known price');
  await expect(page.getByTestId('context-gauge')).toContainText('window size not known for sim-text');
  await snap(page, 'usage-no-price');
});
