// Export and import in the browser twin: the header's Export button saves the conversation on screen
// as Markdown and JSON, Settings backs up every conversation and imports a backup back (as copies
// where ids are taken), and a bad file is refused with the reason while nothing changes.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, snap, test } from '../support/fixtures';
import { lastAnswer, send } from '../support/page';

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

test('export the conversation as Markdown and JSON, back up all, delete, import the backup back', async ({
  page,
  sluice,
}) => {
  const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 } } });
  await app.open(page);
  await send(page, 'Tell me about rivers');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  const answerBox = lastAnswer(page).getByTestId('assistant-text');
  const answer = (await answerBox.textContent()) ?? '';
  const firstLine = (await answerBox.innerText()).split('\n')[0] ?? '';

  await page.getByTestId('export-button').click();
  await expect(page.getByRole('group', { name: 'Export as' })).toBeVisible();
  await snap(page, 'transfer-export-choices');
  const md = await download(page, () => page.getByTestId('export-markdown').click());
  expect(md.name).toMatch(/^tell-me-about-rivers-\d{4}-\d{2}-\d{2}\.md$/);
  expect(md.text).toContain('## You\n\nTell me about rivers\n\n## Assistant · sim-text\n\n');
  // The rendered answer's first words are in the file (markdown syntax aside).
  expect(firstLine.length).toBeGreaterThan(10);
  expect(md.text).toContain(firstLine.slice(0, 30));

  await page.getByTestId('export-button').click();
  const json = await download(page, () => page.getByTestId('export-json').click());
  const envelope = JSON.parse(json.text) as { format: string; conversation: { title: string } };
  expect(envelope).toMatchObject({
    format: 'sluice.conversation',
    conversation: { title: 'Tell me about rivers' },
  });

  // Back up all from Settings, delete the conversation, import the backup: it is back, whole.
  await page.getByTestId('settings-button').click();
  const backup = await download(page, () => page.getByTestId('backup-all').click());
  expect(backup.name).toMatch(/^sluice-backup-\d{4}-\d{2}-\d{2}\.json$/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('delete').click();
  await page.getByTestId('delete-confirm').click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(0);

  await page.getByTestId('settings-button').click();
  await page.getByTestId('import-file').setInputFiles({
    name: backup.name,
    mimeType: 'application/json',
    buffer: Buffer.from(backup.text),
  });
  await expect(page.getByTestId('import-report')).toHaveText(
    'Imported 1 conversation from the Sluice backup.',
  );
  await page.getByTestId('import-report').scrollIntoViewIfNeeded();
  await snap(page, 'transfer-imported');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('conversation-item').first().click();
  await expect(lastAnswer(page).getByTestId('assistant-text')).toHaveText(answer);

  // The same backup again: a copy, nothing replaced.
  await page.getByTestId('settings-button').click();
  await page.getByTestId('import-file').setInputFiles({
    name: backup.name,
    mimeType: 'application/json',
    buffer: Buffer.from(backup.text),
  });
  await expect(page.getByTestId('import-report')).toContainText(
    'Imported 1 conversation from the Sluice backup. 1 had the id of one already here and came in as a copy; nothing was replaced.',
  );
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);
  await expect(page.getByTestId('conversation-item').filter({ hasText: '(imported copy)' })).toHaveCount(1);
});

test('a file that is not an export is refused with what was wrong, and the list is unchanged', async ({
  page,
  sluice,
}) => {
  const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 } } });
  await app.open(page);
  await send(page, 'Keep me');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await page.getByTestId('settings-button').click();
  const broken = {
    format: 'sluice.backup',
    version: 1,
    conversations: [{ id: 'x', title: 'x', messages: 'none' }],
  };
  await page.getByTestId('import-file').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(broken)),
  });
  const report = page.getByTestId('import-report');
  await expect(report).toHaveAttribute('role', 'alert');
  await expect(report).toContainText(
    'This backup could not be imported: conversations[0].createdAt: missing (it must be a number)',
  );
  await expect(report).toContainText('Nothing was imported.');
  await report.scrollIntoViewIfNeeded();
  await snap(page, 'transfer-refused');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  expect((await app.conversations.list()).map((c) => c.title)).toEqual(['Keep me']);
});
