// Every keyboard shortcut of the window, in one table: the window's key handler (App.tsx) finds
// the one a key press means here, and the shortcut sheet (ShortcutSheet.tsx) lists this table.
// The chords keep clear of the browser's own (Ctrl+N/T/W/L/K/F/H/J/D, Ctrl+Shift+N/T/O/B/I/J…):
// the app's are Alt+Shift with a letter, matched by the physical key (`code`), so a Mac's Option
// characters and other keyboard layouts do not change them. Ctrl+/ and Esc were already the
// message box's and Stop's. `?` alone opens the sheet only outside text fields, where it types.

export type ShortcutId = 'new-chat' | 'search' | 'focus-composer' | 'toggle-sidebar' | 'shortcuts' | 'stop';

export type Chord = {
  /** KeyboardEvent.code (the physical key), or `key` for a character whatever the key. */
  code?: string;
  key?: string;
  /** Ctrl, or ⌘ on a Mac. */
  mod?: boolean;
  alt?: boolean;
  shift?: boolean;
  /** Only when focus is not in a text field (the key types there). */
  outsideText?: boolean;
};

export type Shortcut = { id: ShortcutId; does: string; chords: Chord[] };

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'new-chat', does: 'New chat', chords: [{ code: 'KeyN', alt: true, shift: true }] },
  {
    id: 'search',
    does: 'Search conversations and messages',
    chords: [{ code: 'KeyF', alt: true, shift: true }],
  },
  { id: 'focus-composer', does: 'Go to the message box', chords: [{ code: 'Slash', mod: true }] },
  {
    id: 'toggle-sidebar',
    does: 'Show or hide the sidebar',
    chords: [{ code: 'KeyS', alt: true, shift: true }],
  },
  {
    id: 'shortcuts',
    does: 'Show these shortcuts',
    chords: [
      { key: '?', outsideText: true },
      { code: 'Slash', alt: true, shift: true },
    ],
  },
  { id: 'stop', does: 'Stop the answer (first closes an open drawer)', chords: [{ key: 'Escape' }] },
];

export type KeyPress = {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
};

export function chordMatches(chord: Chord, e: KeyPress, inText: boolean): boolean {
  if (chord.outsideText && inText) return false;
  if (chord.code !== undefined && e.code !== chord.code) return false;
  if (chord.key !== undefined && e.key !== chord.key) return false;
  if ((e.ctrlKey || e.metaKey) !== (chord.mod ?? false)) return false;
  if (e.altKey !== (chord.alt ?? false)) return false;
  // A character (`?`) is typed with Shift on some layouts and without on others.
  if (chord.key === undefined && e.shiftKey !== (chord.shift ?? false)) return false;
  return true;
}

/** The shortcut a key press means, or null. `inText`: focus is in a text field. */
export function shortcutOf(e: KeyPress, inText: boolean): ShortcutId | null {
  return SHORTCUTS.find((s) => s.chords.some((c) => chordMatches(c, e, inText)))?.id ?? null;
}

/** Focus is somewhere a key types text. */
export function isTextField(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return (
    target instanceof HTMLInputElement &&
    !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file'].includes(target.type)
  );
}

export const isMac = (): boolean =>
  typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

const KEY_NAMES: Record<string, string> = { Slash: '/', Escape: 'Esc' };
const keyName = (chord: Chord) => {
  const raw = chord.code ?? chord.key ?? '';
  return KEY_NAMES[raw] ?? raw.replace(/^Key/, '');
};

/** The chord as people read it: "Alt+Shift+N", "Ctrl+/" (on a Mac "⌥⇧N", "⌘/"). */
export function chordLabel(chord: Chord, mac = isMac()): string {
  const parts: string[] = [];
  if (chord.mod) parts.push(mac ? '⌘' : 'Ctrl');
  if (chord.alt) parts.push(mac ? '⌥' : 'Alt');
  if (chord.shift) parts.push(mac ? '⇧' : 'Shift');
  parts.push(keyName(chord));
  return mac ? parts.join('') : parts.join('+');
}

/** The chord as aria-keyshortcuts says it ("Alt+Shift+N"; Ctrl+/ is "Control+Slash Meta+Slash"). */
export function chordAria(chord: Chord): string {
  const key = chord.code?.replace(/^Key/, '') ?? chord.key ?? '';
  const mods = [chord.alt ? 'Alt' : '', chord.shift ? 'Shift' : ''].filter(Boolean);
  const one = (mod: string | null) => [...(mod ? [mod] : []), ...mods, key].join('+');
  return chord.mod ? `${one('Control')} ${one('Meta')}` : one(null);
}

const shortcut = (id: ShortcutId): Shortcut => {
  const found = SHORTCUTS.find((s) => s.id === id);
  if (!found) throw new Error(`No shortcut "${id}".`);
  return found;
};

/** How a control shows its shortcut: the first chord's label and every chord for aria-keyshortcuts. */
export function shortcutHint(id: ShortcutId, mac = isMac()): { label: string; aria: string } {
  const { chords } = shortcut(id);
  return {
    label: chordLabel(chords[0] ?? {}, mac),
    aria: chords
      .filter((c) => !c.outsideText)
      .map(chordAria)
      .join(' '),
  };
}
