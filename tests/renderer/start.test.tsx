// @vitest-environment happy-dom
// The window's start (src/renderer/src/start.ts): the store's first requests go out before the
// app's module (React and every component) has arrived; the app mounts once the list is in, so
// its first render already lists every conversation; a list slower than the wait, or one that
// fails, does not hold the window; an app chunk that cannot load is a sentence, not a blank page.
import { afterEach, expect, test, vi } from 'vitest';
import { FakeChatClient, hourlyConversations } from './fake-client';
import { createAppStore, type AppStore } from '../../src/renderer/src/store';
import { FIRST_RENDER_WAIT_MS, startWindow, type MountModule } from '../../src/renderer/src/start';
import type { ConversationSummary } from '../../src/shared/protocol';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const conversations = (n: number) => hourlyConversations(n, NOW);

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A client whose list answers when the test says; every request it gets, in order. */
class HeldListClient extends FakeChatClient {
  readonly asked: string[] = [];
  readonly list = deferred<void>();
  override async listConversations(): Promise<ConversationSummary[]> {
    this.asked.push('list');
    await this.list.promise;
    return super.listConversations();
  }
  override async getSettings() {
    this.asked.push('settings');
    return super.getSettings();
  }
}

/** A mount module that records what the store held when it was called. */
function recordingMount() {
  const calls: { root: HTMLElement; listed: number; listError: string | null }[] = [];
  const module: MountModule = {
    mount: (root, store: AppStore) =>
      calls.push({
        root,
        listed: store.getState().conversations.length,
        listError: store.getState().listError,
      }),
  };
  return { calls, module };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

function page() {
  const root = document.createElement('div');
  document.body.append(root);
  return root;
}

test('the first requests go out before the app module arrives, and the app mounts once the list is in', async () => {
  const client = new HeldListClient({ conversations: conversations(30) });
  const store = createAppStore(client);
  const app = deferred<MountModule>();
  const { calls, module } = recordingMount();
  const asked: string[] = [];
  const started = startWindow(page(), store, () => {
    asked.push(`app module (after ${client.asked.join(', ')})`);
    return app.promise;
  });
  await flush();
  // The list and settings were asked for before the app's module was even requested.
  expect(asked).toEqual(['app module (after settings, list)']);
  app.resolve(module);
  await new Promise((resolve) => setTimeout(resolve, 50));
  // The app's module is here, the list is not: the window waits for it.
  expect(calls).toHaveLength(0);
  client.list.resolve();
  await started;
  expect(calls).toHaveLength(1);
  expect(calls[0]?.listed).toBe(30);
  // boot() again (App calls it on mount) sends nothing more.
  await store.getState().boot();
  expect(client.asked.filter((a) => a === 'list')).toHaveLength(1);
});

test('a list slower than the wait does not hold the window; it fills the sidebar when it comes', async () => {
  vi.useFakeTimers();
  const client = new HeldListClient({ conversations: conversations(5) });
  const store = createAppStore(client);
  const { calls, module } = recordingMount();
  const started = startWindow(page(), store, () => Promise.resolve(module));
  await vi.advanceTimersByTimeAsync(FIRST_RENDER_WAIT_MS - 1);
  expect(calls).toHaveLength(0);
  await vi.advanceTimersByTimeAsync(1);
  await started;
  expect(calls).toEqual([expect.objectContaining({ listed: 0, listError: null })]);
  client.list.resolve();
  await vi.runAllTimersAsync();
  expect(store.getState().conversations.map((c) => c.id)).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
});

test('a list that fails mounts the app at once, with the sentence saying so', async () => {
  vi.useFakeTimers();
  const client = new HeldListClient();
  const store = createAppStore(client);
  const { calls, module } = recordingMount();
  const started = startWindow(page(), store, () => Promise.resolve(module));
  client.list.reject(new Error('Sluice answered HTTP 500.'));
  await vi.advanceTimersByTimeAsync(0);
  await started;
  expect(calls).toEqual([
    expect.objectContaining({
      listed: 0,
      listError: 'Could not load conversations: Sluice answered HTTP 500.',
    }),
  ]);
});

test('an app chunk that cannot load says so in the page', async () => {
  const client = new HeldListClient();
  client.list.resolve();
  const root = page();
  await startWindow(root, createAppStore(client), () =>
    Promise.reject(new TypeError('Failed to fetch dynamically imported module: ./assets/mount.js')),
  );
  expect(root.textContent).toBe(
    'Sluice could not start: Failed to fetch dynamically imported module: ./assets/mount.js',
  );
});

test("the real app's first render of the sidebar already lists every conversation", async () => {
  const client = new HeldListClient({ conversations: conversations(40) });
  const store = createAppStore(client);
  // The app's module arrives first, the list a moment later (inside the wait).
  const app = await import('../../src/renderer/src/mount');
  const root = page();
  // From the moment the sidebar is in the page: its list's data-count each time it changes.
  const seen: string[] = [];
  const observer = new MutationObserver(() => {
    if (!root.querySelector('.conversation-nav')) return;
    const count = root.querySelector('[data-testid="conversation-list"]')?.getAttribute('data-count');
    const now = count ?? 'no list';
    if (seen.at(-1) !== now) seen.push(now);
  });
  observer.observe(root, { childList: true, subtree: true, attributes: true });
  // React's own scheduler, as in the window (act() would hold every render until its scope ends).
  const env = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean | undefined };
  const acting = env.IS_REACT_ACT_ENVIRONMENT;
  env.IS_REACT_ACT_ENVIRONMENT = false;
  try {
    const started = startWindow(root, store, () => Promise.resolve(app));
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.list.resolve();
    await started;
    await vi.waitFor(() =>
      expect(root.querySelectorAll('[data-testid="conversation-item"]')).toHaveLength(40),
    );
  } finally {
    env.IS_REACT_ACT_ENVIRONMENT = acting;
  }
  observer.disconnect();
  expect(seen).toEqual(['40']);
});
