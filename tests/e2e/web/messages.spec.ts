// Messages for people in the browser twin: an error notice says what happened and whether anything
// arrived, and an answer offers only the actions that make sense for it; the metrics line is in
// plain words (the window's numbers kept on reopen). Settings refuse a number that is not one, as typed in a real browser.
import { expect, snap, test } from '../support/fixtures';
import { lastAnswer, send } from '../support/page';

test('an overload before any text: a notice without "kept", Retry, and no Copy or Regenerate', async ({
  page,
  sluice,
}) => {
  const app = await sluice({ settings: { sim: { scenario: 'sim-overloaded', ttftMs: 0, tpotMs: 1 } } });
  await app.open(page);
  await send(page, 'Hello there');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'error', { timeout: 60_000 });
  const notice = answer.getByTestId('error-notice');
  await expect(notice).toHaveAttribute('data-error-type', 'overloaded');
  await expect(notice).toContainText('The provider is overloaded right now.');
  await expect(answer).not.toContainText('kept');
  await expect(notice.getByTestId('retry')).toBeVisible();
  await expect(answer.getByTestId('copy-message')).toHaveCount(0);
  await expect(answer.getByTestId('regenerate')).toHaveCount(0);
  await snap(page, 'messages-error-before-text');
});

test('a complete answer offers Regenerate and Copy, no Retry, and its metrics read as words', async ({
  page,
  sluice,
}) => {
  const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 } } });
  await app.open(page);
  await send(page, 'Tell me about rivers');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await expect(answer.getByTestId('regenerate')).toBeVisible();
  await expect(answer.getByTestId('copy-message')).toBeVisible();
  await expect(answer.getByTestId('retry')).toHaveCount(0);
  const footer = answer.getByTestId('metrics-footer');
  await expect(footer).toContainText('first token');
  await expect(footer).toContainText('(in the window');
  await expect(footer).toContainText('first sign of life');
  await expect(footer.getByTestId('stop-reason')).toHaveText('finished');
  await expect(footer).not.toContainText(/TTFT|TPOT|\(here|first progress|end_turn/);
  await expect(footer.locator('.metric').first()).toHaveAttribute('title', /Time to first token \(TTFT\)/);
  await snap(page, 'messages-complete');

  // Reopened (a reload), the window's own numbers are still there: they were stored with the answer.
  const shown = await footer.getAttribute('data-here-ttft-ms');
  await page.reload();
  await page.getByTestId('conversation-item').first().click();
  const reopened = lastAnswer(page).getByTestId('metrics-footer');
  await expect(reopened).toContainText('(in the window');
  await expect(reopened).toHaveAttribute('data-here-ttft-ms', shown ?? '');
  await snap(page, 'messages-complete-reopened');
});

test('Max tokens typed as "abc12" or "1e3" is refused by its field and nothing is saved', async ({
  page,
  sluice,
}) => {
  const app = await sluice();
  await app.open(page);
  await page.getByTestId('settings-button').click();
  const max = page.getByTestId('setting-maxTokens');
  await expect(page.getByTestId('unit-maxTokens')).toHaveText('tokens');
  for (const text of ['abc12', '1e3']) {
    await max.fill('');
    await max.pressSequentially(text);
    await expect(max).toHaveValue(text);
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('field-error-maxTokens')).toHaveText('Enter a whole number, e.g. 4096.');
    await expect(page.getByTestId('settings-error')).toContainText('nothing was saved');
  }
  await snap(page, 'messages-settings-refused');
  expect((await app.settings.get()).maxTokens).toBe(4096);
});
