// Export and import in the browser twin, at 1280 and 390 px, light and dark: the header's Export
// button saves the conversation on screen as Markdown and JSON, Settings backs up every
// conversation and imports the backup back (as a copy, the id being taken, whole), and a bad file
// is refused with the reason while nothing changes. The conversation is stored directly (no turn
// streamed): one compact test a size.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, snap, test } from '../support/fixtures';
import { COMBOS, lastAnswer, lookAs, sidebar } from '../support/page';
import { generateConversation, seededRng } from '../../support/generate';
import type { Conversation } from '../../../src/shared/protocol';

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

/** One exchange as the store writes it: the question "Tell me about rivers" and a generated answer. */
function rivers(): Conversation {
  const c = generateConversation(seededRng(5), {
    id: 'rivers',
    title: 'Tell me about rivers',
    messages: 2,
    userChars: 40,
    answerChars: 400,
    codeShare: 0,
    updatedAt: Date.now(),
  });
  const question = c.messages[0];
  if (question?.role === 'user') question.text = 'Tell me about rivers';
  return c;
}

async function openSettings(page: Page): Promise<void> {
  await sidebar(page);
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('settings-panel')).toBeVisible();
}

async function importFile(page: Page, name: string, text: string): Promise<void> {
  await page.getByTestId('import-file').setInputFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(text),
  });
}

for (const combo of COMBOS) {
  const tag = `${combo.scheme} ${combo.width}px`;
  const name = (what: string) => `transfer-${combo.scheme}-${combo.width}-${what}`;

  test(`export as Markdown and JSON, back up all, import back as a copy, refuse a bad file (${tag})`, async ({
    page,
    sluice,
  }) => {
    await lookAs(page, combo);
    const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } } });
    await app.conversations.save(rivers());
    await app.open(page);
    await sidebar(page);
    await page.getByTestId('conversation-item').first().locator('.conversation-open').click();
    await expect(page.locator('.conversation-heading')).toHaveText('Tell me about rivers');
    const answer = (await lastAnswer(page).getByTestId('assistant-text').textContent()) ?? '';
    expect(answer.length).toBeGreaterThan(100);

    await page.getByTestId('export-button').click();
    await expect(page.getByRole('group', { name: 'Export as' })).toBeVisible();
    await snap(page, name('export-choices'));
    const md = await download(page, () => page.getByTestId('export-markdown').click());
    expect(md.name).toMatch(/^tell-me-about-rivers-\d{4}-\d{2}-\d{2}\.md$/);
    expect(md.text).toContain('## You\n\nTell me about rivers\n\n## Assistant · sim-text\n\n');
    // The answer's first words are in the file.
    expect(md.text).toContain(answer.slice(0, 30));

    await page.getByTestId('export-button').click();
    const json = await download(page, () => page.getByTestId('export-json').click());
    expect(JSON.parse(json.text)).toMatchObject({
      format: 'sluice.conversation',
      conversation: { id: 'rivers', title: 'Tell me about rivers' },
    });

    // Back up all, import the backup: the id is taken, so it comes in as a copy, whole.
    await openSettings(page);
    const backup = await download(page, () => page.getByTestId('backup-all').click());
    expect(backup.name).toMatch(/^sluice-backup-\d{4}-\d{2}-\d{2}\.json$/);
    await importFile(page, backup.name, backup.text);
    await expect(page.getByTestId('import-report')).toHaveText(
      'Imported 1 conversation from the Sluice backup. 1 had the id of one already here and came in as a copy; nothing was replaced.',
    );
    await page.getByTestId('import-report').scrollIntoViewIfNeeded();
    await snap(page, name('imported'));

    // A file that is not an export: refused with what was wrong, nothing imported.
    const broken = {
      format: 'sluice.backup',
      version: 1,
      conversations: [{ id: 'x', title: 'x', messages: 'none' }],
    };
    await importFile(page, 'broken.json', JSON.stringify(broken));
    const report = page.getByTestId('import-report');
    await expect(report).toHaveAttribute('role', 'alert');
    await expect(report).toContainText(
      'This backup could not be imported: conversations[0].createdAt: missing (it must be a number)',
    );
    await expect(report).toContainText('Nothing was imported.');
    await report.scrollIntoViewIfNeeded();
    await snap(page, name('refused'));
    await page.getByRole('button', { name: 'Cancel' }).click();

    const titles = (await app.conversations.list()).map((c) => c.title).sort();
    expect(titles).toEqual(['Tell me about rivers', 'Tell me about rivers (imported copy)']);
    await sidebar(page);
    const copy = page.getByTestId('conversation-item').filter({ hasText: '(imported copy)' });
    await expect(copy).toHaveCount(1);
    await copy.locator('.conversation-open').click();
    await expect(page.locator('.conversation-heading')).toHaveText('Tell me about rivers (imported copy)');
    await expect(lastAnswer(page).getByTestId('assistant-text')).toHaveText(answer);
  });
}
