import type { AppSlice } from './types';

/** `system` follows prefers-color-scheme. */
export type ThemePreference = 'system' | 'light' | 'dark';

export type UiSlice = {
  search: string;
  settingsOpen: boolean;
  theme: ThemePreference;
  setSearch(search: string): void;
  openSettings(): void;
  closeSettings(): void;
  setTheme(theme: ThemePreference): void;
};

export const createUiSlice =
  (initialTheme: ThemePreference = 'system'): AppSlice<UiSlice> =>
  (set) => ({
    search: '',
    settingsOpen: false,
    theme: initialTheme,
    setSearch: (search) => set({ search }),
    openSettings: () => set({ settingsOpen: true }),
    closeSettings: () => set({ settingsOpen: false }),
    setTheme: (theme) => set({ theme }),
  });
