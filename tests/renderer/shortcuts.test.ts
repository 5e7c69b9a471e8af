// The one shortcut table: each key press means at most one shortcut, none is a chord the browser
// keeps for itself, `?` types in a text field, and labels and aria-keyshortcuts come from it.
import { expect, test } from 'vitest';
import {
  chordAria,
  chordLabel,
  shortcutHint,
  shortcutOf,
  SHORTCUTS,
  type KeyPress,
} from '../../src/renderer/src/lib/shortcuts';

const press = (over: Partial<KeyPress> & { key: string }): KeyPress => ({
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...over,
});
const letter = (l: string, mods: Partial<KeyPress>) =>
  press({ key: mods.shiftKey ? l.toUpperCase() : l, code: `Key${l.toUpperCase()}`, ...mods });

test('the issue’s five actions each have a shortcut, and every id once', () => {
  const ids = SHORTCUTS.map((s) => s.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ['new-chat', 'search', 'focus-composer', 'toggle-sidebar', 'shortcuts'] as const)
    expect(ids).toContain(id);
});

test('each chord means its own shortcut, and no other', () => {
  const alt = { altKey: true, shiftKey: true };
  expect(shortcutOf(letter('n', alt), true)).toBe('new-chat');
  expect(shortcutOf(letter('f', alt), true)).toBe('search');
  expect(shortcutOf(letter('s', alt), true)).toBe('toggle-sidebar');
  expect(shortcutOf(press({ key: '/', code: 'Slash', ctrlKey: true }), true)).toBe('focus-composer');
  expect(shortcutOf(press({ key: '/', code: 'Slash', metaKey: true }), true)).toBe('focus-composer');
  expect(shortcutOf(press({ key: '¿', code: 'Slash', altKey: true, shiftKey: true }), true)).toBe(
    'shortcuts',
  );
  expect(shortcutOf(press({ key: 'Escape', code: 'Escape' }), true)).toBe('stop');
  // A Mac's Option+Shift+N types "˜": the physical key still decides.
  expect(shortcutOf(press({ key: '˜', code: 'KeyN', altKey: true, shiftKey: true }), false)).toBe('new-chat');
  // Near misses mean nothing.
  expect(shortcutOf(letter('n', { altKey: true }), false)).toBeNull();
  expect(shortcutOf(letter('n', { ctrlKey: true, shiftKey: true }), false)).toBeNull();
  expect(shortcutOf(press({ key: '?', code: 'Slash', ctrlKey: true, shiftKey: true }), false)).toBeNull();
  expect(shortcutOf(press({ key: 'Escape', code: 'Escape', ctrlKey: true }), false)).toBeNull();
});

test('`?` opens the sheet outside text fields and types inside them', () => {
  const question = press({ key: '?', code: 'Slash', shiftKey: true });
  expect(shortcutOf(question, false)).toBe('shortcuts');
  expect(shortcutOf(question, true)).toBeNull();
});

// Chords Chromium, Firefox or the OS keep (or that a page should not take from the person).
const BROWSER = [
  ...[
    'n',
    't',
    'w',
    'l',
    'k',
    'e',
    'f',
    'g',
    'h',
    'j',
    'd',
    'p',
    'r',
    'u',
    'o',
    's',
    'b',
    'q',
    'a',
    'c',
    'v',
    'x',
    'z',
    'y',
  ].map((l) => letter(l, { ctrlKey: true })),
  ...['n', 't', 'w', 'o', 'b', 'i', 'j', 'c', 'm', 'k', 'e', 's', 'delete', 'p', 'r', 'h', 'a'].map((l) =>
    letter(l, { ctrlKey: true, shiftKey: true }),
  ),
  ...['d', 'f', 'e', 'home', 'left', 'right'].map((l) => letter(l, { altKey: true })),
  press({ key: 'F5', code: 'F5' }),
  press({ key: 'F6', code: 'F6' }),
  press({ key: 'F11', code: 'F11' }),
  press({ key: 'F12', code: 'F12' }),
  press({ key: 'Tab', code: 'Tab', ctrlKey: true }),
];

test('no shortcut takes a chord the browser keeps', () => {
  for (const e of BROWSER) expect(shortcutOf(e, false), JSON.stringify(e)).toBeNull();
});

test('labels and aria-keyshortcuts come from the table, for a Mac and for the rest', () => {
  expect(shortcutHint('new-chat', false)).toEqual({ label: 'Alt+Shift+N', aria: 'Alt+Shift+N' });
  expect(shortcutHint('new-chat', true).label).toBe('⌥⇧N');
  expect(shortcutHint('focus-composer', false)).toEqual({
    label: 'Ctrl+/',
    aria: 'Control+Slash Meta+Slash',
  });
  expect(shortcutHint('focus-composer', true).label).toBe('⌘/');
  // `?` works only outside text fields, so a control does not announce it.
  expect(shortcutHint('shortcuts', false)).toEqual({ label: '?', aria: 'Alt+Shift+Slash' });
  expect(chordLabel({ key: 'Escape' }, false)).toBe('Esc');
  expect(chordAria({ code: 'KeyS', alt: true, shift: true })).toBe('Alt+Shift+S');
});
