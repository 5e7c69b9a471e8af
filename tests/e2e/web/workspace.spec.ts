// The workspace around the chat in the browser twin (issue 12, sections 1 and 4), at 1280 and
// 390 px, light and dark: the sidebar collapsed and brought back by button and by shortcut (and
// remembered), everything reachable from the drawer at 390, the one-line banner that names the
// command for a key and stays dismissed across a reload, pinning and the day groups (with the
// page's clock fixed), the shortcut sheet, and the title made after the first answer.
import type { Page } from '@playwright/test';
import { expect, snap, test, type WebApp } from '../support/fixtures';
import { COMBOS, lastAnswer, lookAs, send, type Combo, type El } from '../support/page';
import type { Conversation } from '../../../src/shared/protocol';

const FAST = { ttftMs: 0, tpotMs: 0 };
/** The window at the combo's size and scheme, and a stack on the fast simulated provider. */
async function setup(
  page: Page,
  combo: Combo,
  sluice: (opts?: { settings?: object }) => Promise<WebApp>,
): Promise<WebApp> {
  await lookAs(page, combo);
  return sluice({ settings: { sim: { scenario: 'sim-text', ...FAST } } });
}

const narrow = (page: Page) => (page.viewportSize()?.width ?? 1280) <= 760;

/** A stored conversation with one exchange, last changed at `updatedAt`. */
async function seed(app: WebApp, title: string, updatedAt: number, pinned = false): Promise<Conversation> {
  const c = await app.conversations.create(title);
  const stored: Conversation = {
    ...c,
    title,
    titleSource: 'person',
    createdAt: updatedAt,
    updatedAt,
    ...(pinned ? { pinned } : {}),
    messages: [{ id: `${c.id}-u`, role: 'user', text: `About ${title}`, createdAt: updatedAt }],
  };
  await app.conversations.save(stored);
  return stored;
}

for (const combo of COMBOS) {
  const tag = `${combo.scheme} ${combo.width}px`;
  const name = (what: string) => `workspace-${combo.scheme}-${combo.width}-${what}`;

  test(`sidebar: collapsed and back by button and shortcut, remembered; the drawer reaches everything (${tag})`, async ({
    page,
    sluice,
  }) => {
    const app = await setup(page, combo, sluice);
    await seed(app, 'Rivers of Europe', Date.now() - 60_000);
    await app.open(page);
    const sidebar = page.locator('#sidebar');
    const toggle = page.getByTestId('nav-toggle');

    if (!narrow(page)) {
      await expect(sidebar).toBeVisible();
      await expect(toggle).toBeHidden();
      await page.getByTestId('sidebar-collapse').click();
      await expect(sidebar).toBeHidden();
      await expect(toggle).toBeVisible();
      await expect(toggle).toHaveAttribute('aria-expanded', 'false');
      await expect(toggle).toBeFocused();
      await snap(page, name('collapsed'));
      await toggle.click();
      await expect(sidebar).toBeVisible();
      // The shortcut, from the message box (where the person types).
      await page.getByTestId('composer-input').focus();
      await page.keyboard.press('Alt+Shift+KeyS');
      await expect(sidebar).toBeHidden();
      await expect(page.getByTestId('composer-input')).toBeFocused();
      await page.reload();
      await expect(page.getByTestId('composer-input')).toBeVisible();
      await expect(sidebar).toBeHidden();
      await page.keyboard.press('Alt+Shift+KeyS');
      await expect(sidebar).toBeVisible();
      await page.reload();
      await expect(sidebar).toBeVisible();
      return;
    }

    // 390 px: the drawer, by the menu button and by the shortcut; every item in it in view and working.
    await expect(sidebar).toBeHidden();
    await toggle.click();
    await expect(sidebar).toBeVisible();
    await expect(page.getByTestId('new-chat')).toBeFocused();
    for (const id of [
      'new-chat',
      'conversation-search',
      'conversation-item',
      'settings-button',
      'runbook-button',
      'theme-toggle',
      'sidebar-collapse',
    ])
      await expect(page.getByTestId(id).first()).toBeInViewport({ ratio: 1 });
    await snap(page, name('drawer'));

    await page.getByTestId('settings-button').click();
    await expect(page.getByTestId('settings-panel')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('settings-panel')).toBeHidden();
    await expect(sidebar).toBeVisible();
    await page.getByTestId('runbook-button').click();
    await expect(page.getByTestId('runbook-panel')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('runbook-panel')).toBeHidden();
    const theme = page.getByTestId('theme-toggle');
    const before = await theme.getAttribute('aria-label');
    await theme.click();
    await expect(theme).not.toHaveAttribute('aria-label', before ?? '');
    await page.getByTestId('conversation-search').fill('Rivers');
    await expect(page.getByTestId('conversation-item')).toHaveCount(1);
    await page.getByTestId('conversation-search').fill('');

    await page.getByTestId('sidebar-collapse').click();
    await expect(sidebar).toBeHidden();
    await expect(toggle).toBeFocused();
    await page.keyboard.press('Alt+Shift+KeyS');
    await expect(sidebar).toBeVisible();
    await page.keyboard.press('Alt+Shift+KeyS');
    await expect(sidebar).toBeHidden();
    await page.getByTestId('composer-input').focus();
    await page.keyboard.press('Alt+Shift+KeyS');
    await expect(sidebar).toBeVisible();
    await page.getByTestId('conversation-item').first().locator('.conversation-open').click();
    await expect(page.locator('.conversation-heading')).toHaveText('Rivers of Europe');
    await expect(sidebar).toBeHidden();
  });

  test(`the banner: one line naming the command for a key, dismissed for good (${tag})`, async ({
    page,
    sluice,
  }) => {
    const app = await setup(page, combo, sluice);
    await app.open(page);
    const banner = page.getByTestId('provider-banner');
    await expect(banner).toHaveAttribute('data-kind', 'simulated-browser');
    await expect(banner.locator('.banner-long')).toHaveAttribute(
      'title',
      'Simulated provider: answers are scripted. For Claude, restart with ANTHROPIC_API_KEY=… npm run sluice -- serve, then pick Anthropic in Settings.',
    );
    await expect(banner.locator('code')).toHaveText('ANTHROPIC_API_KEY=… npm run sluice -- serve');
    // A narrow window has room for the short line; Settings holds the command whole.
    await expect(banner.locator(narrow(page) ? '.banner-short' : '.banner-long')).toBeVisible();
    await expect(banner.locator(narrow(page) ? '.banner-long' : '.banner-short')).toBeHidden();
    if (narrow(page))
      await expect(banner.locator('.banner-short')).toHaveText('Simulated: scripted answers.');
    // One line, whatever the width: a wrapped banner would be twice as tall.
    const box = await banner.boundingBox();
    expect(box?.height ?? 999).toBeLessThan(44);
    await expect(banner.getByTestId('banner-dismiss')).toBeInViewport({ ratio: 1 });
    await snap(page, name('banner'));

    // Settings says the same command, whole.
    await banner.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByTestId('serve-key-hint')).toContainText(
      'ANTHROPIC_API_KEY=… npm run sluice -- serve',
    );
    await page.keyboard.press('Escape');

    await banner.getByTestId('banner-dismiss').click();
    await expect(banner).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId('composer-input')).toBeVisible();
    await expect(page.getByTestId('provider-badge')).toHaveText('Simulated');
    await expect(page.getByTestId('provider-banner')).toHaveCount(0);

    // A different notice later is not the one dismissed: Anthropic without a key shows.
    await app.settings.update({ provider: 'anthropic' });
    await page.reload();
    await expect(page.getByTestId('provider-banner')).toHaveAttribute(
      'data-kind',
      'anthropic-no-key-browser',
    );
    await expect(page.getByTestId('provider-banner').locator('code')).toHaveText(
      'ANTHROPIC_API_KEY=… npm run sluice -- serve',
    );
  });

  test(`pinning and the day groups, with the page's clock fixed (${tag})`, async ({ page, sluice }) => {
    const app = await setup(page, combo, sluice);
    // The page's clock: noon on 10 June 2026 in its time zone.
    const noon = new Date(2026, 5, 10, 12, 0, 0).getTime();
    await page.clock.setFixedTime(noon);
    const hour = 3600_000;
    await seed(app, 'Older notes', noon - 40 * 24 * hour);
    await seed(app, 'Last week', noon - 4 * 24 * hour);
    await seed(app, 'Late yesterday', new Date(2026, 5, 9, 23, 50).getTime());
    await seed(app, 'This morning', new Date(2026, 5, 10, 0, 5).getTime());
    await seed(app, 'Kept on top', noon - 400 * 24 * hour, true);
    await app.open(page);
    if (narrow(page)) await page.getByTestId('nav-toggle').click();

    // Each group's name heads its first row; the rows after it, to the next name, are its own.
    const shown = async () =>
      page.getByTestId('conversation-list').evaluate((list) => {
        const groups: [string | null, (string | null)[]][] = [];
        const rows = (list as unknown as { children: ArrayLike<El> }).children;
        for (const row of Array.from(rows)) {
          const heading = row.querySelector('[data-testid="conversation-group"]');
          if (heading) groups.push([heading.getAttribute('data-group'), []]);
          groups.at(-1)?.[1].push(row.querySelector('.conversation-title')?.textContent ?? null);
        }
        return groups;
      });
    await expect.poll(shown).toEqual([
      ['Pinned', ['Kept on top']],
      ['Today', ['This morning']],
      ['Yesterday', ['Late yesterday']],
      ['Previous 7 days', ['Last week']],
      ['Older', ['Older notes']],
    ]);
    await snap(page, name('groups'));

    const item = (title: string) => page.getByTestId('conversation-item').filter({ hasText: title });
    await item('Older notes').hover();
    await item('Older notes').getByTestId('pin').click();
    await expect(item('Older notes').getByTestId('pin')).toHaveAttribute('aria-pressed', 'true');
    await item('Kept on top').hover();
    await item('Kept on top').getByTestId('pin').click();
    await expect.poll(shown).toEqual([
      ['Pinned', ['Older notes']],
      ['Today', ['This morning']],
      ['Yesterday', ['Late yesterday']],
      ['Previous 7 days', ['Last week']],
      ['Older', ['Kept on top']],
    ]);
    // Stored in the main process: a reload shows the same, and the files say so.
    await page.reload();
    if (narrow(page)) await page.getByTestId('nav-toggle').click();
    await expect.poll(shown).toEqual([
      ['Pinned', ['Older notes']],
      ['Today', ['This morning']],
      ['Yesterday', ['Late yesterday']],
      ['Previous 7 days', ['Last week']],
      ['Older', ['Kept on top']],
    ]);
    const list = await app.conversations.list();
    expect(list.filter((c) => c.pinned).map((c) => c.title)).toEqual(['Older notes']);
    await snap(page, name('pinned'));
  });

  test(`shortcuts: new chat, search, message box, and the sheet that lists them (${tag})`, async ({
    page,
    sluice,
  }) => {
    const app = await setup(page, combo, sluice);
    await seed(app, 'Lakes of Finland', Date.now() - 60_000);
    await app.open(page);
    const composer = page.getByTestId('composer-input');
    const search = page.getByTestId('conversation-search');

    // Search: from the message box, the sidebar (or drawer) shows and its box has focus.
    await composer.focus();
    await page.keyboard.press('Alt+Shift+KeyF');
    await expect(search).toBeFocused();
    await page.keyboard.type('Lakes');
    await expect(page.getByTestId('conversation-item')).toHaveCount(1);
    await page.getByTestId('conversation-item').locator('.conversation-open').click();
    await expect(page.locator('.conversation-heading')).toHaveText('Lakes of Finland');
    await expect(composer).toBeFocused();
    await page.keyboard.press('Alt+Shift+KeyF');
    await expect(search).toBeFocused();
    await expect(search).toHaveValue('Lakes');
    await search.fill('');

    // New chat, from anywhere.
    await composer.focus();
    await page.keyboard.press('Alt+Shift+KeyN');
    await expect(page.locator('.conversation-heading')).toHaveText('New chat');
    await expect(page.locator('.empty-state')).toBeVisible();
    await expect(composer).toBeFocused();

    // Ctrl+/ back to the message box from a button.
    await page.locator('.conversation-heading').click();
    await page.keyboard.press('Control+Slash');
    await expect(composer).toBeFocused();

    // `?` types in the message box…
    await page.keyboard.type('?');
    await expect(composer).toHaveValue('?');
    await expect(page.getByTestId('shortcut-sheet')).toHaveCount(0);
    await composer.fill('');
    // …and Alt+Shift+/ opens the sheet from there.
    await page.keyboard.press('Alt+Shift+Slash');
    const sheet = page.getByTestId('shortcut-sheet');
    await expect(sheet).toBeVisible();
    await expect(sheet.getByTestId('shortcut-row')).toHaveCount(6);
    await expect(sheet.getByTestId('shortcut-row').first()).toContainText('Alt+Shift+N');
    await expect(sheet.getByTestId('shortcut-row').first()).toContainText('New chat');
    await expect(sheet.locator('[data-id="focus-composer"]')).toContainText('Ctrl+/');
    await snap(page, name('shortcut-sheet'));
    await page.keyboard.press('Escape');
    await expect(sheet).toHaveCount(0);
    await expect(composer).toBeFocused();

    // `?` outside a text field opens it too.
    await page.locator('.conversation-heading').click();
    await page.keyboard.press('Shift+Slash');
    await expect(sheet).toBeVisible();
    await sheet.getByRole('button', { name: 'Close keyboard shortcuts' }).click();
    await expect(sheet).toHaveCount(0);
  });
}

test('a title is made after the first answer (the heuristic with the simulated provider), and a rename stands', async ({
  page,
  sluice,
}) => {
  const app = await sluice({ settings: { sim: { scenario: 'sim-text', ...FAST } } });
  await app.open(page);
  await send(page, 'Hi! Could you tell me about the rivers of Portugal? I am going there.');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await expect(page.locator('.conversation-heading')).toHaveText('Tell me about the rivers of Portugal?');
  const item = page.getByTestId('conversation-item').first();
  await expect(item.locator('.conversation-title')).toHaveText('Tell me about the rivers of Portugal?');
  expect((await app.conversations.list())[0]).toMatchObject({
    title: 'Tell me about the rivers of Portugal?',
  });

  await item.hover();
  await item.getByTestId('rename').click();
  await page.getByTestId('rename-input').fill('Portugal trip');
  await page.getByTestId('rename-save').click();
  await expect(item.locator('.conversation-title')).toHaveText('Portugal trip');
  await send(page, 'And the lakes?');
  await expect(
    page.locator('[data-testid="message"][data-role="assistant"][data-outcome="complete"]'),
  ).toHaveCount(2, {
    timeout: 30_000,
  });
  await expect(page.locator('.conversation-heading')).toHaveText('Portugal trip');
  const stored = await app.conversations.get((await app.conversations.list())[0]?.id ?? '');
  expect(stored).toMatchObject({ title: 'Portugal trip', titleSource: 'person' });
  await snap(page, 'workspace-titled');
});
