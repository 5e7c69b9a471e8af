// Full-text search in the browser twin, at 1280 and 390 px, light and dark: a word from an early
// message of a long conversation is found by the main process's index, shown with its snippet
// marked, a typo in it is forgiven, and a click opens that conversation with the message brought
// into view. The conversations are stored directly (no turns streamed): one compact test a size.
import type { Page } from '@playwright/test';
import { expect, snap, test } from '../support/fixtures';
import { COMBOS, lookAs, sidebar } from '../support/page';
import { generateConversation, seededRng } from '../../support/generate';

async function searchFor(page: Page, query: string): Promise<void> {
  await sidebar(page);
  await page.getByTestId('conversation-search').fill(query);
}

for (const combo of COMBOS) {
  const tag = `${combo.scheme} ${combo.width}px`;
  const name = (what: string) => `search-${combo.scheme}-${combo.width}-${what}`;

  test(`a word from an early message: found, marked, a typo forgiven, opened in view (${tag})`, async ({
    page,
    sluice,
  }) => {
    await lookAs(page, combo);
    const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } } });
    const now = Date.now();
    // Thirty messages; the word is planted in the second question (message 2), far above the end.
    const long = generateConversation(seededRng(3), {
      id: 'freshwater',
      title: 'Freshwater notes',
      messages: 30,
      userChars: 160,
      answerChars: 600,
      codeShare: 0,
      markers: new Map([[2, 'zebrafish']]),
      updatedAt: now - 60_000,
    });
    const other = generateConversation(seededRng(4), {
      id: 'other',
      title: 'Something else entirely',
      messages: 4,
      userChars: 80,
      answerChars: 200,
      codeShare: 0,
      updatedAt: now,
    });
    await app.conversations.save(long);
    await app.conversations.save(other);
    await app.open(page);

    await searchFor(page, 'zebrafish');
    const hits = page.getByTestId('message-hit');
    await expect(hits).toHaveCount(1);
    await expect(hits.first()).toContainText('Freshwater notes');
    await expect(hits.first()).toContainText('· you');
    await expect(hits.first().locator('mark')).toHaveText(['zebrafish']);
    await snap(page, name('hits'));

    // Two letters swapped in a long word: still that message, its word marked as written.
    await page.getByTestId('conversation-search').fill('zebrafihs');
    await expect(hits).toHaveCount(1);
    await expect(hits.first().locator('mark')).toHaveText(['zebrafish']);

    await hits.first().click();
    await expect(page.locator('.conversation-heading')).toHaveText('Freshwater notes');
    const target = page.locator('[data-testid="message"][data-search-target="true"]');
    await expect(target).toHaveCount(1);
    await expect(target).toHaveAttribute('data-role', 'user');
    await expect(target).toContainText('zebrafish');
    await expect(target).toBeInViewport();
    await snap(page, name('opened'));

    await searchFor(page, 'qqxyzzy');
    await expect(page.getByTestId('message-hits')).toContainText('No message matches.');
  });
}
