// Attachments in the browser twin: a PDF from the file picker, an image pasted from the clipboard,
// an image dropped on the composer, a large paste that becomes a text chip (expanded, edited), all
// sent to the simulated provider, which names each image and PDF it received; the test computes
// their sha256 itself. A file that is not an image, one over the limit, and a PDF for a provider
// that cannot read one are refused with the sentence, and nothing is stored. Light and dark,
// 1280 and 390 px.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { axeViolations } from '../support/axe';
import { expect, snap, test } from '../support/fixtures';
import { lastAnswer } from '../support/page';
import { onlyConversation, storedAnswer, storedText } from '../support/stored';

// axe-core is added to the page as a script tag.
test.use({ bypassCSP: true });

const FIXTURES = join(import.meta.dirname, '../../fixtures/attachments');
const fixture = (name: string) => readFile(join(FIXTURES, name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// Page-side code as text: this project's test types have no DOM (the page has).
const IN_PAGE = `
  window.__file = (data, name, type) =>
    new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name, { type });
  window.__transfer = (p) => {
    const t = new DataTransfer();
    if (p.text !== undefined) t.setData('text/plain', p.text);
    else t.items.add(window.__file(p.data, p.name, p.type));
    return t;
  };
`;

type Payload = { text: string } | { data: string; name: string; type: string };
const fileOf = (file: Buffer, name: string, type: string): Payload => ({
  data: file.toString('base64'),
  name,
  type,
});

/** A paste event carrying text, or a file, as the clipboard would (React reads clipboardData). */
async function paste(page: Page, payload: Payload) {
  await page.evaluate(
    `(() => { ${IN_PAGE}
      const clipboardData = window.__transfer(${JSON.stringify(payload)});
      document.querySelector('[data-testid="composer-input"]').dispatchEvent(
        new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
    })()`,
  );
}

/** Files dragged over the composer and dropped on it. */
async function drop(page: Page, payload: Payload) {
  const composer = page.locator('form.composer');
  const transfer = await page.evaluateHandle(
    `(() => { ${IN_PAGE} return window.__transfer(${JSON.stringify(payload)}); })()`,
  );
  await composer.dispatchEvent('dragover', { dataTransfer: transfer });
  await expect(composer).toHaveAttribute('data-dragging', 'true');
  await composer.dispatchEvent('drop', { dataTransfer: transfer });
  await expect(composer).toHaveAttribute('data-dragging', 'false');
}

const chip = (page: Page, name: string) =>
  page.getByTestId('attachment-tray').getByTestId('attachment-chip').filter({ hasText: name });

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1280, 390]) {
    test(`picker, clipboard, drop and a large paste: each attachment arrives intact (${scheme}, ${width} px)`, async ({
      page,
      sluice,
    }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 820 });
      const app = await sluice({
        settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 } },
        simTokens: 40,
      });
      await app.open(page);
      const png = await fixture('sunrise.png');
      const pdf = await fixture('notes.pdf');

      await page.getByTestId('attach-input').setInputFiles(join(FIXTURES, 'notes.pdf'));
      await expect(chip(page, 'notes.pdf')).toContainText(`PDF · ${pdf.length} bytes`);
      await paste(page, fileOf(png, 'image.png', 'image/png'));
      await expect(chip(page, 'image.png')).toContainText('PNG image · 10.4 KB');
      await drop(page, fileOf(png, 'dropped-sunrise.png', 'image/png'));
      await expect(chip(page, 'dropped-sunrise.png').locator('img')).toBeVisible();

      // 300 lines is over the 200-line threshold: a chip, not composer text.
      const lines = Array.from({ length: 300 }, (_, i) => `log line ${i + 1}: all quiet`);
      await paste(page, { text: lines.join('\n') });
      await expect(page.getByTestId('composer-input')).toHaveValue('');
      const textChip = page.getByTestId('attachment-chip').filter({ hasText: 'Pasted text' });
      await expect(textChip).toContainText('Pasted text · 300 lines');
      await textChip.getByTestId('attachment-toggle').click();
      const edit = textChip.getByTestId('attachment-edit');
      await expect(edit).toHaveValue(lines.join('\n'));
      await edit.fill(`${lines.slice(0, 3).join('\n')}\nedited`);
      // Its name follows the text it now holds.
      await expect(chip(page, 'Pasted text · 4 lines')).toHaveCount(1);
      // A short paste stays text in the composer.
      await paste(page, { text: 'short' });
      await page.getByTestId('composer-input').fill('What is in these?');
      await expect(page.getByTestId('attachment-chip')).toHaveCount(4);
      await snap(page, `attachments-composer-${scheme}-${width}`);
      expect(await axeViolations(page, `attachment chips (${scheme}, ${width} px)`)).toEqual([]);

      await page.getByTestId('send').click();
      const answer = lastAnswer(page);
      await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
      await expect(page.getByTestId('attachment-tray')).toHaveCount(0);
      const receipt = [
        `application/pdf, ${pdf.length} bytes, sha256 ${sha256(pdf)}`,
        `image/png, ${png.length} bytes, sha256 ${sha256(png)}`,
        `image/png, ${png.length} bytes, sha256 ${sha256(png)}`,
      ];
      const text = answer.getByTestId('assistant-text');
      await expect(text).toContainText('Received 3 attachments:');
      for (const line of receipt) await expect(text).toContainText(line);
      expect(storedText(await storedAnswer(app, 'complete'))).toContain(
        `Received 3 attachments:\n\n${receipt.map((l, i) => `${i + 1}. ${l}`).join('\n')}`,
      );

      const sent = page.getByTestId('message-attachments');
      await expect(sent.getByTestId('attachment-chip')).toHaveCount(4);
      await expect(sent.locator('img')).toHaveCount(2);
      const stored = (await onlyConversation(app)).messages[0];
      if (stored?.role !== 'user') throw new Error('no user message stored');
      expect(stored.text).toBe('What is in these?');
      expect(stored.attachments?.map((a) => (a.kind === 'text' ? a.text : a.data))).toEqual([
        pdf.toString('base64'),
        png.toString('base64'),
        png.toString('base64'),
        `${lines.slice(0, 3).join('\n')}\nedited`,
      ]);
      const sentText = sent.getByTestId('attachment-chip').filter({ hasText: 'Pasted text' });
      await sentText.getByTestId('attachment-toggle').click();
      await expect(sentText.locator('pre')).toHaveText(`${lines.slice(0, 3).join('\n')}\nedited`);
      await page.getByTestId('message').first().scrollIntoViewIfNeeded();
      await snap(page, `attachments-sent-${scheme}-${width}`);
      expect(await axeViolations(page, `sent attachments (${scheme}, ${width} px)`)).toEqual([]);
    });
  }
}

test('a file that is not an image, one over the limit, and a PDF for Ollama are refused with the sentence; nothing is stored', async ({
  page,
  sluice,
}) => {
  await page.setViewportSize({ width: 1280, height: 820 });
  const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 } } });
  const sim = await app.service.simulator.url();
  await app.settings.update({
    provider: 'ollama',
    providers: [
      { id: 'ollama', preset: 'ollama', name: 'Ollama', baseURL: `${sim}/ollama/v1`, model: 'sim-text' },
    ],
  });
  await app.open(page);
  const problem = page.getByTestId('attachment-problem');

  await page.getByTestId('attach-input').setInputFiles(join(FIXTURES, 'not-an-image.png'));
  await expect(problem).toHaveText(
    '“not-an-image.png” is not a PNG, JPEG, GIF or WebP image nor a PDF (its contents say so, whatever its name). Attach an image or a PDF.',
  );
  const big = Buffer.concat([await fixture('sunrise.png'), Buffer.alloc(6 * 1024 * 1024)]);
  await page
    .getByTestId('attach-input')
    .setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: big });
  await expect(problem).toHaveText(
    '“huge.png” is 6.0 MB; an image may be at most 5 MB. Attach a smaller one.',
  );
  await expect(page.getByTestId('attachment-chip')).toHaveCount(0);

  await page.getByTestId('attach-input').setInputFiles(join(FIXTURES, 'notes.pdf'));
  await expect(problem).toHaveCount(0);
  await page.getByTestId('composer-input').fill('Read this');
  await page.getByTestId('send').click();
  await expect(problem).toHaveText(
    'Ollama cannot take PDFs, so “notes.pdf” cannot be sent there. Remove it, or pick a provider that reads PDFs (Anthropic, OpenAI, OpenRouter).',
  );
  // Nothing was sent or stored; the draft is kept to fix.
  await expect(page.getByTestId('composer-input')).toHaveValue('Read this');
  await expect(page.getByTestId('attachment-chip')).toHaveCount(1);
  await snap(page, 'attachments-refused');
  expect(await axeViolations(page, 'attachment refused')).toEqual([]);
  expect((await app.call('GET', '/api/conversations')).json).toEqual([]);
  expect(app.simLog).toHaveLength(0);

  await chip(page, 'notes.pdf').getByTestId('attachment-remove').click();
  await expect(page.getByTestId('attachment-chip')).toHaveCount(0);
});
