// What the window remembers across reloads besides the theme: the sidebar collapsed, and the
// banners dismissed (by kind, so a different banner later still shows). localStorage may be
// unavailable (a sandboxed or private window): then the choice lasts the session.

export type LayoutPrefs = { sidebarCollapsed: boolean; dismissedBanners: string[] };

const KEY = 'sluice:layout';

export function readPrefs(): LayoutPrefs {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const dismissed = value['dismissedBanners'];
    return {
      sidebarCollapsed: value['sidebarCollapsed'] === true,
      dismissedBanners: Array.isArray(dismissed)
        ? dismissed.filter((d): d is string => typeof d === 'string').slice(0, 50)
        : [],
    };
  } catch {
    return { sidebarCollapsed: false, dismissedBanners: [] };
  }
}

export function savePrefs(prefs: LayoutPrefs): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // see above
  }
}

/** Narrow windows (and wide ones zoomed to 200%) show the sidebar as a drawer (layout.css). */
export const NARROW_QUERY = '(max-width: 760px)';
export const isNarrow = (): boolean =>
  typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia(NARROW_QUERY).matches
    : false;
