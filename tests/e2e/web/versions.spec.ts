// Versions in the browser twin (issue 12, section 2): Regenerate and Edit add a version at their
// point instead of replacing it, `‹ 2 / 3 ›` moves between versions with the mouse or the keyboard
// (the conversation that followed a version comes back with it), any question can be edited, and
// a message is deleted with its branch after a confirmation. Light and dark, 1280 and 390 px.
import type { Page } from '@playwright/test';
import { activePath } from '../../../src/shared/versions';
import { axeViolations } from '../support/axe';
import { expect, snap, test } from '../support/fixtures';
import { ANSWER, lastAnswer, send } from '../support/page';

// axe-core is injected as a script tag (support/axe.ts).
test.use({ bypassCSP: true });

const QUESTION = '[data-testid="message"][data-role="user"]';
const messages = (page: Page) => page.locator('[data-testid="message"]');

/** Edits the first question on screen to `text` and waits for the new version's answer. */
async function editFirstQuestion(page: Page, text: string) {
  const first = page.locator(QUESTION).first();
  await first.hover();
  await first.getByTestId('edit-message').click();
  await first.getByTestId('edit-input').fill(text);
  await first.getByTestId('edit-submit').click();
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
}

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1280, 390]) {
    test(`regenerate, edit any question, move between versions and delete a branch (${scheme}, ${width} px)`, async ({
      page,
      sluice,
    }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 800 });
      // Paced (2 ms a token), so the answers do not arrive in the one burst a buffering proxy makes.
      const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 2 } } });
      await app.open(page);
      await send(page, 'Name three rivers of Europe.');
      await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
      const firstText = (await lastAnswer(page).locator('.message-body').textContent()) ?? '';
      // One version: no switcher.
      await expect(page.getByTestId('versions')).toHaveCount(0);

      // Regenerate: a second version of the answer, the first kept.
      await lastAnswer(page).getByTestId('regenerate').click();
      await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
      const answerVersions = lastAnswer(page).getByTestId('versions');
      await expect(answerVersions.getByTestId('version-count')).toHaveText('2 / 2');
      await expect(answerVersions).toHaveAttribute('aria-label', 'Version 2 of 2');
      await expect(answerVersions.getByRole('button', { name: 'Next version' })).toBeDisabled();
      await expect(messages(page)).toHaveCount(2);
      const [conversation] = await app.conversations.list();
      const stored = await app.conversations.get(conversation?.id ?? '');
      expect(stored.messages).toHaveLength(3);

      // Back with the keyboard: the first answer, as it was.
      await answerVersions.getByRole('button', { name: 'Previous version' }).focus();
      await page.keyboard.press('Enter');
      await expect(answerVersions.getByTestId('version-count')).toHaveText('1 / 2');
      await expect(lastAnswer(page).locator('.message-body')).toHaveText(firstText);
      const firstAnswer = stored.messages[1]?.id;
      await expect
        .poll(
          async () => (await app.conversations.get(stored.id)).activeChild?.[stored.messages[0]?.id ?? ''],
        )
        .toBe(firstAnswer);
      // Arrow keys move too.
      await page.keyboard.press('ArrowRight');
      await expect(answerVersions.getByTestId('version-count')).toHaveText('2 / 2');
      await page.keyboard.press('ArrowLeft');
      await expect(answerVersions.getByTestId('version-count')).toHaveText('1 / 2');

      // A follow-up on the first version, then the first question edited: a new branch.
      await send(page, 'Which is the longest?');
      await expect(page.locator(`${ANSWER}[data-outcome="complete"]`)).toHaveCount(2, { timeout: 30_000 });
      await expect(messages(page)).toHaveCount(4);
      await editFirstQuestion(page, 'Name three rivers of Asia.');
      await expect(messages(page)).toHaveCount(2);
      await expect(page.locator(QUESTION).first()).toContainText('Name three rivers of Asia.');
      const questionVersions = page.locator(QUESTION).first().getByTestId('versions');
      await expect(questionVersions.getByTestId('version-count')).toHaveText('2 / 2');
      await page.locator(QUESTION).first().scrollIntoViewIfNeeded();
      await snap(page, `versions-edited-${scheme}-${width}`);

      // The first question's version brings back everything that followed it.
      await questionVersions.getByRole('button', { name: 'Previous version' }).click();
      await expect(messages(page)).toHaveCount(4);
      await expect(page.locator(QUESTION).nth(1)).toContainText('Which is the longest?');
      await expect(page.locator(ANSWER).first().getByTestId('version-count')).toHaveText('1 / 2');
      await page.locator(ANSWER).first().getByTestId('versions').scrollIntoViewIfNeeded();
      await snap(page, `versions-switched-${scheme}-${width}`);

      // Delete the follow-up (and its answer below it), after a confirmation.
      const followUp = page.locator(QUESTION).nth(1);
      await followUp.hover();
      await followUp.getByTestId('delete-message').click();
      const dialog = page.getByTestId('delete-message-dialog');
      await expect(dialog).toBeVisible();
      await expect(dialog).toContainText('This message and the 1 message after it');
      await expect(dialog.getByTestId('delete-message-cancel')).toBeFocused();
      await snap(page, `versions-delete-${scheme}-${width}`);
      expect(await axeViolations(page, `delete dialog ${scheme} ${width}px`)).toEqual([]);
      await page.keyboard.press('Escape');
      await expect(dialog).toHaveCount(0);
      await expect(messages(page)).toHaveCount(4);
      await followUp.hover();
      await followUp.getByTestId('delete-message').click();
      await dialog.getByTestId('delete-message-confirm').click();
      await expect(dialog).toHaveCount(0);
      await expect(messages(page)).toHaveCount(2);
      const after = await app.conversations.get(conversation?.id ?? '');
      expect(after.messages).toHaveLength(5);
      expect(activePath(after).map((m) => m.role)).toEqual(['user', 'assistant']);

      // Kept after a reload: the version on screen and the others.
      await page.reload();
      await expect(messages(page)).toHaveCount(2);
      await expect(page.locator(QUESTION).first().getByTestId('version-count')).toHaveText('1 / 2');
      await expect(lastAnswer(page).getByTestId('version-count')).toHaveText('1 / 2');
      expect(await axeViolations(page, `versions ${scheme} ${width}px`)).toEqual([]);
      await snap(page, `versions-reloaded-${scheme}-${width}`);
    });
  }
}

test('a search hit in a version not on screen opens that version', async ({ page, sluice }) => {
  const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } } });
  await app.open(page);
  await send(page, 'Tell me about zebrafish');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await editFirstQuestion(page, 'Tell me about axolotls');
  await expect(page.locator(QUESTION).first()).toContainText('axolotls');

  await page.getByTestId('conversation-search').fill('zebrafish');
  const hits = page.getByTestId('message-hit');
  await expect(hits).toHaveCount(1);
  await hits.first().click();
  await expect(page.locator(QUESTION).first()).toContainText('Tell me about zebrafish');
  await expect(page.locator(QUESTION).first().getByTestId('version-count')).toHaveText('1 / 2');
  await expect(page.locator(QUESTION).first()).toHaveAttribute('data-search-target', 'true');
});
