// Shared setup for the renderer tests: a store on a hand-driven fake client, animation frames run
// only when the test says so, and a clock that moves only when told.
import { act, cleanup, configure, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { FakeChatClient, type FakeOptions, type FakeTurn, type ScriptEvent } from './fake-client';
import { App } from '../../src/renderer/src/components/App';
import { loadMarkdown } from '../../src/renderer/src/components/LazyMarkdown';
import { createAppStore, type AppStore } from '../../src/renderer/src/store';
import { StoreProvider } from '../../src/renderer/src/store/react';
import type { Conversation, StreamEvent } from '../../src/shared/protocol';

export { act, cleanup };

// Settings and the runbook load on demand: on a loaded machine their first import (transformed by
// the test runner) can take longer than findBy's default second.
configure({ asyncUtilTimeout: 10_000 });

// The markdown renderer loads on demand in the app (components/LazyMarkdown.tsx); these tests read
// rendered markdown from the first frame, so it is here before any of them renders.
// tests/renderer/lazy-markdown.test.tsx covers the moment before it arrives.
await loadMarkdown();

export function manualFrames() {
  let queue: (() => void)[] = [];
  return {
    requestFrame: (callback: () => void) => void queue.push(callback),
    pending: () => queue.length,
    /** Runs the callbacks requested so far: one animation frame. */
    flush() {
      const run = queue;
      queue = [];
      for (const callback of run) callback();
    },
  };
}

export function setup(options: FakeOptions = {}) {
  const clock = { t: 1000 };
  const client = new FakeChatClient({ ...options, now: () => clock.t });
  const frames = manualFrames();
  const store = createAppStore(client, { requestFrame: frames.requestFrame, now: () => clock.t });
  const wrap = (node: ReactNode) => <StoreProvider store={store}>{node}</StoreProvider>;
  return { client, store, frames, clock, wrap };
}

export async function renderApp(options: FakeOptions = {}) {
  // Each test opens a fresh page: no conversation in the address (lib/route) from the one before.
  window.history.replaceState(null, '', window.location.pathname);
  const env = setup(options);
  const view = render(env.wrap(<App />));
  await settle();
  return { ...env, view };
}

/** Lets promises and microtasks run (the fake client starts turns in a microtask). */
export async function settle() {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
}

/** Sends a message and waits for the fake turn to exist; turn_start is queued, not yet shown. */
export async function sendMessage(store: AppStore, client: FakeChatClient, text: string): Promise<FakeTurn> {
  act(() => void store.getState().send(text));
  await settle();
  const turn = client.lastTurn;
  if (!turn) throw new Error('no turn started');
  return turn;
}

export const provider = (event: StreamEvent, step = 0): ScriptEvent => ({ type: 'provider', step, event });

export const messageStart = (id = 'msg_1'): StreamEvent => ({
  type: 'message_start',
  message: { id, role: 'assistant', model: 'sim-text', usage: { input_tokens: 5, output_tokens: 1 } },
});

export const textStart = (index: number): StreamEvent => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'text', text: '' },
});

export const textDelta = (index: number, text: string): StreamEvent => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'text_delta', text },
});

export const blockStop = (index: number): StreamEvent => ({ type: 'content_block_stop', index });

/** A stored conversation with one finished exchange, for "an older message". */
export function storedConversation(id = 'c-old'): Conversation {
  return {
    id,
    title: 'Earlier',
    createdAt: 1,
    updatedAt: 1,
    messages: [
      { id: 'u-old', role: 'user', text: 'Earlier question', createdAt: 1 },
      {
        id: 'a-old',
        role: 'assistant',
        turnId: 't-old',
        createdAt: 1,
        steps: [
          {
            message: {
              id: 'msg_old',
              model: 'sim-text',
              blocks: [{ type: 'text', text: 'Earlier answer.\n\nSecond paragraph.', citations: [] }],
              stoppedBlocks: [0],
              stopReason: 'end_turn',
              stopSequence: null,
              stopDetails: null,
              usage: { output_tokens: 7 },
              started: true,
              finished: true,
              providerError: null,
              protocolErrors: [],
              ignoredEvents: 0,
            },
            toolResults: [],
          },
        ],
        outcome: 'complete',
        stopReason: 'end_turn',
        error: null,
        metrics: {
          ttfbMs: 100,
          firstProgressMs: 400,
          ttftMs: 400,
          tpotMs: 25,
          totalMs: 900,
          outputTokens: 7,
          tokensPerSecond: 40,
        },
        provider: 'simulated',
        model: 'sim-text',
      },
    ],
  };
}
