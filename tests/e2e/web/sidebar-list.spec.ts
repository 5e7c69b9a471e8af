// The sidebar with many conversations in the browser twin, at 1280 and 390 px, light and dark: the
// list is virtualized (a screenful of rows in the page, each saying its place among all of them),
// the keyboard reaches the last conversation, a search hit in a late conversation opens it and its
// row is brought into view once the search is cleared, and axe finds nothing wrong.
import type { Page } from '@playwright/test';
import { axeViolations } from '../support/axe';
import { expect, snap, test, type WebApp } from '../support/fixtures';
import { COMBOS, isNarrow } from '../support/page';
import type { Conversation } from '../../../src/shared/protocol';

const COUNT = 600;
const LATE = 550;
const HOUR = 3600_000;

// axe is injected as a script tag, which the page's CSP (tested in security.spec) would refuse.
test.use({ bypassCSP: true });

/** Conversation i was last changed i hours ago (the list shows them in index order); one word marks LATE. */
async function seedMany(app: WebApp): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < COUNT; i++) {
    const at = now - i * HOUR;
    const text = i === LATE ? 'Where do quokkas live?' : `Question number ${i}`;
    const c: Conversation = {
      id: `many-${String(i).padStart(4, '0')}`,
      title: `Topic ${i}`,
      titleSource: 'person',
      createdAt: at,
      updatedAt: at,
      messages: [{ id: `many-${i}-u`, role: 'user', text, createdAt: at }],
    };
    await app.conversations.save(c);
  }
}

const list = (page: Page) => page.getByTestId('conversation-list');
const row = (page: Page, i: number) =>
  page.locator(`[data-testid="conversation-item"][data-id="many-${String(i).padStart(4, '0')}"]`);

async function openDrawer(page: Page) {
  if (isNarrow(page)) await page.getByTestId('nav-toggle').click();
}

for (const combo of COMBOS) {
  const tag = `${combo.scheme} ${combo.width}px`;
  const name = (what: string) => `sidebar-${combo.scheme}-${combo.width}-${what}`;

  test(`${COUNT} conversations: a screenful of rows that know their place; keys, a search hit and axe (${tag})`, async ({
    page,
    sluice,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: combo.width, height: combo.width > 760 ? 800 : 844 });
    await page.emulateMedia({ colorScheme: combo.scheme });
    const app = await sluice({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } } });
    await seedMany(app);
    await app.open(page);
    await openDrawer(page);

    await expect(list(page)).toHaveAttribute('data-count', String(COUNT));
    const items = page.getByTestId('conversation-item');
    await expect(row(page, 0)).toBeInViewport();
    const rendered = await items.count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(50);
    const places = await list(page)
      .locator(':scope > li')
      .evaluateAll((rows) =>
        rows.map((r) => {
          const el = r as unknown as { getAttribute(n: string): string | null };
          return [el.getAttribute('aria-setsize'), el.getAttribute('aria-posinset')];
        }),
      );
    expect(places).toEqual(places.map((_, k) => [String(COUNT), String(k + 1)]));
    await expect(page.getByTestId('conversation-group').first()).toHaveText('Today');
    await snap(page, name('many'));
    expect(await axeViolations(page, `sidebar with ${COUNT} conversations (${tag})`)).toEqual([]);

    // The keyboard: down a row, then End to the last conversation, rendered and focused in view.
    await row(page, 0).locator('.conversation-open').focus();
    await page.keyboard.press('ArrowDown');
    await expect(row(page, 1).locator('.conversation-open')).toBeFocused();
    await page.keyboard.press('End');
    const last = row(page, COUNT - 1).locator('.conversation-open');
    await expect(last).toBeFocused();
    await expect(last).toBeInViewport();
    expect(await items.count()).toBeLessThan(50);
    await expect(page.locator(':focus').locator('xpath=ancestor::li[1]')).toHaveAttribute(
      'aria-posinset',
      String(COUNT),
    );
    await snap(page, name('end'));
    await page.keyboard.press('Home');
    await expect(row(page, 0).locator('.conversation-open')).toBeFocused();

    // A search hit in a late conversation opens it; cleared, the list shows its row in view.
    await page.getByTestId('conversation-search').fill('quokkas');
    await expect(page.getByTestId('message-hit')).toHaveCount(1);
    await page.getByTestId('message-hit').click();
    await expect(page.locator('.conversation-heading')).toHaveText(`Topic ${LATE}`);
    await openDrawer(page);
    await page.getByTestId('conversation-search').fill('');
    await expect(row(page, LATE)).toHaveAttribute('data-active', 'true');
    await expect(row(page, LATE)).toBeInViewport();
    await expect(row(page, 0)).toHaveCount(0);
    await snap(page, name('late-active'));
  });
}
