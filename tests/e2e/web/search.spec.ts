// Full-text search in the browser twin: a word from any message of any conversation is found by
// the main process's index, shown with its snippet marked, and a click opens that conversation
// with the message brought into view.
import { expect, snap, test } from '../support/fixtures';
import { lastAnswer, send } from '../support/page';

test('a word from an early message of a long conversation: found, marked, and opened in view', async ({
  page,
  sluice,
}) => {
  const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } } });
  await app.open(page);
  await send(page, 'Tell me about zebrafish and how they see');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  for (const follow of ['And rivers?', 'And lakes?', 'And the sea?']) {
    await send(page, follow);
    await expect(
      page.locator('[data-testid="message"][data-role="assistant"][data-outcome="complete"]'),
    ).toHaveCount(['And rivers?', 'And lakes?', 'And the sea?'].indexOf(follow) + 2, { timeout: 30_000 });
  }
  await page.getByTestId('new-chat').click();
  await send(page, 'Something else entirely');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });

  await page.getByTestId('conversation-search').fill('zebrafish');
  const hits = page.getByTestId('message-hit');
  await expect(hits).toHaveCount(1);
  await expect(hits.first()).toContainText('Tell me about zebrafish');
  await expect(hits.first()).toContainText('· you');
  await expect(hits.first().locator('mark')).toHaveText(['zebrafish']);
  await snap(page, 'search-hits');

  await hits.first().click();
  await expect(page.locator('.conversation-heading')).toHaveText('Tell me about zebrafish and how they see');
  const question = page.locator('[data-testid="message"][data-role="user"]').first();
  await expect(question).toHaveAttribute('data-search-target', 'true');
  await expect(question).toBeInViewport();
  await snap(page, 'search-opened');

  await page.getByTestId('conversation-search').fill('qqxyzzy');
  await expect(page.getByTestId('message-hits')).toContainText('No message matches.');
});
