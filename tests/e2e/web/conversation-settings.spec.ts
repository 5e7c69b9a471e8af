// A conversation's own settings in the browser twin, at 1280 and 390 px, light and dark: edited
// from the header (typed text that is not a number is refused, and kept), sent with the message
// (the simulated provider's sim-echo says what it received), changed for a stored conversation
// and used by Regenerate; saved as a preset, a new chat started from it, the preset deleted in
// Settings while the chat keeps its copy. Screenshots go to test-results/screenshots/.
import { expect, snap, test } from '../support/fixtures';
import { isNarrow, lastAnswer, send, sidebar } from '../support/page';

const echo = (system: string, maxTokens: number) =>
  `System prompt: “${system}”. Temperature: not set. Max tokens: ${maxTokens}.`;

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1280, 390]) {
    test(`conversation settings and presets (${width}px, ${scheme})`, async ({ page, sluice }) => {
      test.setTimeout(90_000);
      await page.setViewportSize({ width, height: width > 760 ? 800 : 844 });
      await page.emulateMedia({ colorScheme: scheme });
      const app = await sluice({
        settings: {
          systemPrompt: 'Answer briefly.',
          sim: { scenario: 'sim-echo', ttftMs: 0, tpotMs: 0 },
        },
      });
      const shot = (name: string) => snap(page, `conv-settings-${width}-${scheme}-${name}`);
      await app.open(page);
      const button = page.getByTestId('conversation-settings-button');
      const summary = page.getByTestId('conversation-settings-summary');
      const dialog = page.getByTestId('conversation-settings');
      await expect(summary).toHaveText('Default settings');

      // A new chat's settings: bad numbers are refused with a sentence, and what was typed stays.
      await button.click();
      await expect(dialog).toBeVisible();
      await expect(dialog.getByTestId('model-picker')).toContainText('sim-echo');
      await dialog.getByTestId('setting-conv.system').fill('You are a lighthouse keeper.');
      await dialog.getByTestId('setting-conv.temperature').fill('warm');
      await dialog.getByTestId('setting-conv.maxTokens').fill('abc12');
      await dialog.getByTestId('conversation-settings-save').click();
      await expect(dialog.getByTestId('field-error-conv.temperature')).toHaveText(
        'Enter a number from 0 to 2, e.g. 0.7.',
      );
      await expect(dialog.getByTestId('field-error-conv.maxTokens')).toHaveText(
        'Enter a whole number, e.g. 4096.',
      );
      await expect(dialog.getByTestId('conversation-settings-error')).toHaveText(
        'Some settings need fixing; nothing was saved.',
      );
      await expect(dialog.getByTestId('setting-conv.maxTokens')).toHaveValue('abc12');
      await expect(dialog.getByTestId('setting-conv.system')).toHaveValue('You are a lighthouse keeper.');
      await shot('dialog-errors');
      await dialog.getByTestId('setting-conv.temperature').fill('0.5');
      await dialog.getByTestId('setting-conv.maxTokens').fill('900');
      await dialog.getByTestId('conversation-settings-save').click();
      await expect(dialog).toBeHidden();
      await expect(summary).toHaveText('own system prompt · temperature 0.5 · 900 tokens');

      // Sent with the first message; the Messages API takes no temperature, and the answer says so.
      await send(page, 'Where is the nearest lock?');
      const answer = lastAnswer(page);
      await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
      await expect(answer.getByTestId('assistant-text')).toHaveText(
        echo('You are a lighthouse keeper.', 900),
      );
      await shot('sent');

      // The stored conversation's settings changed from the header; Regenerate uses them.
      await button.click();
      await expect(dialog.getByTestId('setting-conv.system')).toHaveValue('You are a lighthouse keeper.');
      await dialog.getByTestId('setting-conv.system').fill('You are a canal engineer.');
      await dialog.getByTestId('setting-conv.temperature').fill('');
      await dialog.getByTestId('conversation-settings-save').click();
      await expect(dialog).toBeHidden();
      await expect(summary).toHaveText('own system prompt · 900 tokens');
      await answer.hover();
      await answer.getByTestId('regenerate').click();
      await expect(lastAnswer(page).getByTestId('assistant-text')).toHaveText(
        echo('You are a canal engineer.', 900),
        { timeout: 30_000 },
      );

      // Saved as a preset (with the model), then a new chat started from it.
      await button.click();
      await dialog.getByTestId('preset-name').fill('Canal engineer');
      await dialog.getByTestId('preset-save').click();
      await expect(dialog.getByTestId('preset-note')).toHaveText(
        'Saved “Canal engineer”: a new chat can start from it.',
      );
      await shot('dialog-preset-saved');
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();

      const nav = await sidebar(page);
      await nav.getByTestId('new-chat').click();
      await expect(summary).toHaveText('Default settings');
      await page.getByTestId('preset-chooser').selectOption({ label: 'Canal engineer' });
      await expect(summary).toHaveText('Canal engineer · own system prompt · 900 tokens');
      await shot('new-chat-from-preset');
      await send(page, 'And the weir?');
      await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
      await expect(lastAnswer(page).getByTestId('assistant-text')).toHaveText(
        echo('You are a canal engineer.', 900),
      );
      await expect(page.getByTestId('preset-chooser')).toBeHidden();

      // Deleted in Settings: the chat started from it keeps its own copy.
      await (await sidebar(page)).getByTestId('settings-button').click();
      const presets = page.getByTestId('presets');
      await expect(presets.getByTestId('preset-canal-engineer')).toContainText('Canal engineer');
      await expect(presets.getByTestId('preset-canal-engineer')).toContainText('simulated · sim-echo');
      await presets.getByTestId('preset-canal-engineer').scrollIntoViewIfNeeded();
      await shot('settings-presets');
      await presets.getByRole('button', { name: 'Delete the preset Canal engineer' }).click();
      await expect(presets.getByTestId('preset-canal-engineer')).toHaveCount(0);
      await expect(presets).toContainText('No presets yet.');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('settings-panel')).toBeHidden();
      if (isNarrow(page)) {
        await page.keyboard.press('Escape');
        await expect(page.locator('#sidebar')).toBeHidden();
      }
      await expect(summary).toHaveText('own system prompt · 900 tokens');
      await button.click();
      await expect(dialog.getByTestId('setting-conv.system')).toHaveValue('You are a canal engineer.');
      await page.keyboard.press('Escape');
      const stored = await app.conversations.list();
      expect(stored).toHaveLength(2);
      for (const { id } of stored)
        expect((await app.conversations.get(id)).params?.system).toBe('You are a canal engineer.');
    });
  }
}
