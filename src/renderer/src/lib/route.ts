// The conversation on screen lives in the address: `#/c/<id>`. A reload reopens it and a bookmark
// opens it; a new chat has no hash. The hash follows the store, never the other way round after
// the first read (opening a conversation is the store's job).
import type { AppStore } from '../store';

const PREFIX = '#/c/';

/** The conversation id a hash names, or null. */
export function conversationOfHash(hash: string): string | null {
  if (!hash.startsWith(PREFIX)) return null;
  try {
    const id = decodeURIComponent(hash.slice(PREFIX.length));
    return id === '' ? null : id;
  } catch {
    return null;
  }
}

export const hashOfConversation = (id: string | null): string =>
  id ? `${PREFIX}${encodeURIComponent(id)}` : '';

/**
 * Opens the conversation the address names, then keeps the address on the conversation shown.
 * Returns the unsubscribe.
 */
export function followRoute(store: AppStore, win: Pick<Window, 'location' | 'history'> = window): () => void {
  const named = conversationOfHash(win.location.hash);
  if (named) void store.getState().openConversation(named);
  return store.subscribe((s, before) => {
    if (s.activeId === before.activeId) return;
    const hash = hashOfConversation(s.activeId);
    if (win.location.hash === hash) return;
    const { pathname, search } = win.location;
    win.history.replaceState(win.history.state, '', `${pathname}${search}${hash}`);
  });
}
