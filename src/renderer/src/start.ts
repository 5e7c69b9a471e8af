// The window's start, without React: the store's first requests go out, then React and the app
// (mount.tsx, a chunk of its own that index.html preloads beside the entry) are evaluated while
// the list is on its way. The first render waits for the list, up to FIRST_RENDER_WAIT_MS: the
// window then paints once, its sidebar filled, instead of painting an empty sidebar, laying it
// out and rendering again a moment later. A list that is slower (the first start on a big store
// builds its index) or fails does not hold the window: it renders, and the list follows.
import type { AppStore } from './store';

export const FIRST_RENDER_WAIT_MS = 250;

export type MountModule = { mount(root: HTMLElement, store: AppStore): void };

/** The page's one sentence when it cannot start at all (the app's chunk could not be loaded, say). */
export function showFatal(root: HTMLElement, err: unknown): void {
  const p = document.createElement('p');
  p.className = 'fatal';
  p.textContent = `Sluice could not start: ${err instanceof Error ? err.message : String(err)}`;
  root.replaceChildren(p);
}

const within = (promise: Promise<void>, ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Boots the store, then mounts the app once its module is here and the list is (or the wait is over). */
export async function startWindow(
  root: HTMLElement,
  store: AppStore,
  loadMount: () => Promise<MountModule>,
  waitMs = FIRST_RENDER_WAIT_MS,
): Promise<void> {
  const listed = store.getState().boot();
  try {
    const [{ mount }] = await Promise.all([loadMount(), within(listed, waitMs)]);
    mount(root, store);
  } catch (err) {
    showFatal(root, err);
  }
}
