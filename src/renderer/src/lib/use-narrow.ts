// Whether the window is narrow enough for the sidebar drawer (the same query as layout.css).
import { useSyncExternalStore } from 'react';
import { isNarrow, NARROW_QUERY } from './prefs';

const subscribe = (onChange: () => void) => {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return () => {};
  const query = window.matchMedia(NARROW_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
};

export const useNarrow = (): boolean => useSyncExternalStore(subscribe, isNarrow, () => false);
