import { isNarrow, savePrefs, type LayoutPrefs } from '../lib/prefs';
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
  /** Wide windows: the sidebar is hidden (remembered across reloads). */
  sidebarCollapsed: boolean;
  /** The keyboard shortcut sheet is open. */
  shortcutsOpen: boolean;
  /** Banner kinds the person dismissed (remembered across reloads). */
  dismissedBanners: string[];
  setSearch(search: string): void;
  setScrollTo(messageId: string | null): void;
  openSettings(): void;
  closeSettings(): void;
  openRunbook(section?: string): void;
  closeRunbook(): void;
  setTheme(theme: ThemePreference): void;
  setNavOpen(open: boolean): void;
  /** Shows or hides the sidebar: the drawer in a narrow window, the column in a wide one. */
  toggleSidebar(narrow?: boolean): void;
  setShortcutsOpen(open: boolean): void;
  dismissBanner(kind: string): void;
};

export const createUiSlice =
  (
    initialTheme: ThemePreference = 'system',
    prefs: LayoutPrefs = { sidebarCollapsed: false, dismissedBanners: [] },
  ): AppSlice<UiSlice> =>
  (set, get) => {
    const remember = () => {
      const { sidebarCollapsed, dismissedBanners } = get();
      savePrefs({ sidebarCollapsed, dismissedBanners });
    };
    return {
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
      sidebarCollapsed: prefs.sidebarCollapsed,
      shortcutsOpen: false,
      dismissedBanners: prefs.dismissedBanners,
      toggleSidebar: (narrow = isNarrow()) => {
        if (narrow) set({ navOpen: !get().navOpen });
        else {
          set({ sidebarCollapsed: !get().sidebarCollapsed });
          remember();
        }
      },
      setShortcutsOpen: (shortcutsOpen) => set({ shortcutsOpen }),
      dismissBanner: (kind) => {
        if (get().dismissedBanners.includes(kind)) return;
        set({ dismissedBanners: [...get().dismissedBanners, kind] });
        remember();
      },
    };
  };
