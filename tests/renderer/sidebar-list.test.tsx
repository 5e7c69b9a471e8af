// @vitest-environment happy-dom
// The sidebar at 2,000 conversations: only the rows near its view are in the page, each says its
// place among all 2,000; the keyboard (End, arrows) and scrolling reach the last one; the row that
// holds focus stays rendered as the list scrolls away from it; a conversation opened from elsewhere
// comes into view. happy-dom lays nothing out, so the sidebar's view is given a height (600 px) and
// each row about the height it has in Chromium (57 px, a group's first row 27 px more).
import { fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { hourlyConversations } from './fake-client';
import { act, cleanup, renderApp, settle } from './support';

const COUNT = 2000;
const VIEW_PX = 600;
const ROW_PX = 57;

beforeEach(() => {
  localStorage.clear();
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(function (this: HTMLElement) {
    return this.classList.contains('conversation-nav') ? VIEW_PX : 0;
  });
  // The nav's content as the browser would lay it out: the list's two spacers and its rows.
  vi.spyOn(HTMLElement.prototype, 'scrollHeight', 'get').mockImplementation(function (this: HTMLElement) {
    const list = this.querySelector<HTMLElement>('[data-testid="conversation-list"]');
    if (!this.classList.contains('conversation-nav') || !list) return 0;
    const spacers = parseFloat(list.style.paddingTop || '0') + parseFloat(list.style.paddingBottom || '0');
    return spacers + rows().reduce((sum, row) => sum + row.offsetHeight, 0);
  });
  // What the virtualizer measures a row by.
  vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (this: HTMLElement) {
    if (!this.classList.contains('conversation-row')) return 0;
    return this.getAttribute('data-heading') === 'true' ? ROW_PX + 27 : ROW_PX;
  });
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** Conversation i was last changed i hours ago: the list shows them in index order. */
const conversations = (now: number) => hourlyConversations(COUNT, now);

const nav = () => document.querySelector<HTMLElement>('.conversation-nav')!;
const rows = () => Array.from(document.querySelectorAll<HTMLElement>('.conversation-row'));
const ids = () => screen.queryAllByTestId('conversation-item').map((el) => el.dataset['id']);
/** The conversation whose row holds focus. */
const focusedId = () =>
  document.activeElement?.closest<HTMLElement>('[data-testid="conversation-item"]')?.dataset['id'];

async function scrollNavTo(top: number) {
  nav().scrollTop = top;
  await act(async () => {
    nav().dispatchEvent(new Event('scroll'));
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

/** Lets the virtualizer's scroll and the focus that follows it land. */
async function frames() {
  for (let i = 0; i < 4; i++)
    await act(async () => {
      nav().dispatchEvent(new Event('scroll'));
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
}

test('2,000 conversations: a bounded number of rows in the page, each with its place among all 2,000', async () => {
  await renderApp({ conversations: conversations(Date.now()) });
  const list = screen.getByTestId('conversation-list');
  expect(list.getAttribute('data-count')).toBe(String(COUNT));
  expect(list.getAttribute('data-virtual')).toBe('true');
  const shown = rows();
  // A 600 px view of 57 px rows and the overscan, not 2,000.
  expect(shown.length).toBeGreaterThanOrEqual(Math.floor(VIEW_PX / ROW_PX));
  expect(shown.length).toBeLessThan(40);
  expect(ids().slice(0, 3)).toEqual(['c-0', 'c-1', 'c-2']);
  shown.forEach((row, k) => {
    expect(row.getAttribute('aria-setsize')).toBe(String(COUNT));
    expect(row.getAttribute('aria-posinset')).toBe(String(k + 1));
  });
  // The group names head their first rows: Today's first.
  expect(shown[0]?.querySelector('[data-testid="conversation-group"]')?.getAttribute('data-group')).toBe(
    'Today',
  );
});

test('scrolled to its end, the list shows the last conversations, and the first ones leave the page', async () => {
  await renderApp({ conversations: conversations(Date.now()) });
  await scrollNavTo(COUNT * ROW_PX);
  const shown = ids();
  expect(shown).toContain(`c-${COUNT - 1}`);
  expect(shown).not.toContain('c-0');
  expect(shown.length).toBeLessThan(40);
  expect(rows().at(-1)?.getAttribute('aria-posinset')).toBe(String(COUNT));
});

test('End, Home and the arrows move focus between rows, rendering the one reached', async () => {
  await renderApp({ conversations: conversations(Date.now()) });
  const first = document.querySelector<HTMLElement>('[data-id="c-0"] .conversation-open')!;
  first.focus();
  fireEvent.keyDown(first, { key: 'ArrowDown' });
  await frames();
  expect(focusedId()).toBe('c-1');
  fireEvent.keyDown(document.activeElement!, { key: 'End' });
  await frames();
  expect(focusedId()).toBe(`c-${COUNT - 1}`);
  expect(document.activeElement?.classList.contains('conversation-open')).toBe(true);
  expect(rows().length).toBeLessThan(40);
  fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
  await frames();
  expect(focusedId()).toBe(`c-${COUNT - 2}`);
  fireEvent.keyDown(document.activeElement!, { key: 'Home' });
  await frames();
  expect(focusedId()).toBe('c-0');
});

test('the row holding focus stays in the page, focused, while the list scrolls far from it', async () => {
  await renderApp({ conversations: conversations(Date.now()) });
  const rename = document.querySelector<HTMLElement>('[data-id="c-2"] [data-testid="rename"]')!;
  rename.focus();
  await scrollNavTo(1000 * ROW_PX);
  expect(ids()).toContain('c-1000');
  expect(ids()).toContain('c-2');
  expect(document.activeElement).toBe(rename);
  // Focus gone from the list: the row may leave.
  act(() => rename.blur());
  await scrollNavTo(1001 * ROW_PX);
  expect(ids()).not.toContain('c-2');
});

test('a conversation opened from elsewhere (a search hit, the address) is scrolled into the view', async () => {
  const { store } = await renderApp({ conversations: conversations(Date.now()) });
  expect(ids()).not.toContain('c-1500');
  await act(() => store.getState().openConversation('c-1500'));
  await frames();
  await settle();
  const active = document.querySelector<HTMLElement>('[data-testid="conversation-item"][data-active="true"]');
  expect(active?.dataset['id']).toBe('c-1500');
  expect(nav().scrollTop).toBeGreaterThan(1400 * ROW_PX);
});
