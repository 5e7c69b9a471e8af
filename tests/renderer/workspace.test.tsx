// @vitest-environment happy-dom
// The workspace's pieces in the page: pinning through the client and the Pinned section, the
// banner dismissed and remembered, the sidebar collapse remembered, and the shortcuts dispatched
// from the one table (a shortcut's key in a text field, `?` typing there).
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { readPrefs } from '../../src/renderer/src/lib/prefs';
import { act, cleanup, renderApp, settle, storedConversation } from './support';

beforeEach(() => localStorage.clear());
afterEach(cleanup);

const groupNames = () =>
  screen.queryAllByTestId('conversation-group').map((g) => g.getAttribute('data-group'));

test('a pin goes through the client and moves the conversation to Pinned; unpinning moves it back', async () => {
  const { client } = await renderApp({ conversations: [storedConversation('c-1')] });
  expect(groupNames()).not.toContain('Pinned');
  const item = screen.getByTestId('conversation-item');
  fireEvent.click(within(item).getByTestId('pin'));
  await settle();
  expect(groupNames()[0]).toBe('Pinned');
  expect((await client.getConversation('c-1')).pinned).toBe(true);
  expect(
    within(screen.getByTestId('conversation-item')).getByTestId('pin').getAttribute('aria-pressed'),
  ).toBe('true');
  fireEvent.click(within(screen.getByTestId('conversation-item')).getByTestId('pin'));
  await settle();
  expect(groupNames()).not.toContain('Pinned');
  expect((await client.getConversation('c-1')).pinned).toBeUndefined();
});

test('the banner is dismissed by its kind, and the choice is kept for the next page', async () => {
  const { store } = await renderApp();
  const banner = screen.getByTestId('provider-banner');
  expect(banner.getAttribute('data-kind')).toBe('simulated-desktop');
  fireEvent.click(within(banner).getByTestId('banner-dismiss'));
  expect(screen.queryByTestId('provider-banner')).toBeNull();
  expect(readPrefs().dismissedBanners).toEqual(['simulated-desktop']);
  // Another kind of notice still shows.
  act(() =>
    store.setState((s) => ({ settings: s.settings ? { ...s.settings, provider: 'anthropic' } : s.settings })),
  );
  expect(screen.getByTestId('provider-banner').getAttribute('data-kind')).toBe('anthropic-no-key-desktop');
});

test('the sidebar collapses by its button and by Alt+Shift+S, and the choice is kept', async () => {
  const { store } = await renderApp();
  const app = document.querySelector('.app');
  expect(app?.getAttribute('data-sidebar')).toBe('shown');
  fireEvent.click(screen.getByTestId('sidebar-collapse'));
  expect(app?.getAttribute('data-sidebar')).toBe('collapsed');
  expect(readPrefs().sidebarCollapsed).toBe(true);
  fireEvent.keyDown(screen.getByTestId('composer-input'), {
    key: 'S',
    code: 'KeyS',
    altKey: true,
    shiftKey: true,
  });
  expect(store.getState().sidebarCollapsed).toBe(false);
  expect(readPrefs().sidebarCollapsed).toBe(false);
});

test('shortcuts from the table: the sheet lists every one; `?` in the message box types, outside it opens', async () => {
  const { store } = await renderApp({ conversations: [storedConversation('c-1')] });
  const composer = screen.getByTestId('composer-input');
  fireEvent.keyDown(composer, { key: '?', code: 'Slash', shiftKey: true });
  expect(screen.queryByTestId('shortcut-sheet')).toBeNull();
  fireEvent.keyDown(document.body, { key: '?', code: 'Slash', shiftKey: true });
  const sheet = screen.getByTestId('shortcut-sheet');
  expect(
    within(sheet)
      .getAllByTestId('shortcut-row')
      .map((r) => r.getAttribute('data-id')),
  ).toEqual(['new-chat', 'search', 'focus-composer', 'toggle-sidebar', 'shortcuts', 'stop']);
  fireEvent.keyDown(sheet, { key: 'Escape' });
  expect(screen.queryByTestId('shortcut-sheet')).toBeNull();

  await act(async () => store.getState().openConversation('c-1'));
  expect(store.getState().activeId).toBe('c-1');
  fireEvent.keyDown(composer, { key: 'N', code: 'KeyN', altKey: true, shiftKey: true });
  expect(store.getState().activeId).toBeNull();
});
