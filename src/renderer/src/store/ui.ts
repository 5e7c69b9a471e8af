import type { AppSlice } from './types';

/** `system` follows prefers-color-scheme. */
export type ThemePreference = 'system' | 'light' | 'dark';

export type UiSlice = {
  search: string;
  /** A message to bring into view once its conversation is on screen (a search hit clicked). */
  scrollTo: string | null;
  settingsOpen: boolean;
  /** The runbook panel, open at a section (its heading's slug), or null when closed. */
  runbook: string | null;
  theme: ThemePreference;
  /** Narrow windows: the sidebar is open as a drawer. */
  navOpen: boolean;
  setSearch(search: string): void;
  setScrollTo(messageId: string | null): void;
  openSettings(): void;
  closeSettings(): void;
  openRunbook(section?: string): void;
  closeRunbook(): void;
  setTheme(theme: ThemePreference): void;
  setNavOpen(open: boolean): void;
};

export const createUiSlice =
  (initialTheme: ThemePreference = 'system'): AppSlice<UiSlice> =>
  (set) => ({
    search: '',
    scrollTo: null,
    settingsOpen: false,
    runbook: null,
    theme: initialTheme,
    navOpen: false,
    setSearch: (search) => set({ search }),
    setScrollTo: (scrollTo) => set({ scrollTo }),
    openSettings: () => set({ settingsOpen: true }),
    closeSettings: () => set({ settingsOpen: false }),
    openRunbook: (section = '') => set({ runbook: section }),
    closeRunbook: () => set({ runbook: null }),
    setTheme: (theme) => set({ theme }),
    setNavOpen: (navOpen) => set({ navOpen }),
  });
