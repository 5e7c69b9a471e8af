// @vitest-environment happy-dom
// Several turns at once, one per conversation: each streams through its own queue, the sidebar says
// which conversations are answering, switching never stops a stream and Stop stops only its own.
import { fireEvent, render, screen } from '@testing-library/react';
import { App } from '../../src/renderer/src/components/App';
import { afterEach, expect, test } from 'vitest';
import {
  act,
  cleanup,
  messageStart,
  provider,
  renderApp,
  settle,
  setup,
  storedConversation,
  textDelta,
  textStart,
} from './support';
import type { AppStore } from '../../src/renderer/src/store';
import type { FakeChatClient } from './fake-client';

afterEach(cleanup);

const open = async (store: AppStore, id: string) => {
  await act(async () => store.getState().openConversation(id));
  await settle();
};

const send = async (store: AppStore, client: FakeChatClient, text: string) => {
  const input = screen.getByTestId('composer-input');
  fireEvent.change(input, { target: { value: text } });
  fireEvent.keyDown(input, { key: 'Enter' });
  await settle();
  return client.lastTurn!;
};

const streaming = () =>
  screen
    .getAllByTestId('conversation-item')
    .filter((li) => li.dataset['streaming'] === 'true')
    .map((li) => li.dataset['id']);

const shownAnswer = () => screen.getAllByTestId('message').at(-1)?.textContent ?? '';

test('two conversations stream at once; switching shows each caught up; Stop stops only its own', async () => {
  const a = { ...storedConversation('c-a'), title: 'Alpha', updatedAt: 2 };
  const b = { ...storedConversation('c-b'), title: 'Beta', updatedAt: 1 };
  const { store, client, frames } = await renderApp({ conversations: [a, b] });

  await open(store, 'c-a');
  const first = await send(store, client, 'first question');
  await open(store, 'c-b');
  // Another conversation's stream does not hold this one's composer.
  expect(screen.getByTestId('send')).toBeTruthy();
  const second = await send(store, client, 'second question');
  expect(client.turns).toHaveLength(2);

  for (const [turn, word] of [
    [first, 'alpha'],
    [second, 'beta'],
  ] as const) {
    turn.emit(provider(messageStart()));
    turn.emit(provider(textStart(0)));
    turn.emit(provider(textDelta(0, `${word} one. `)));
  }
  act(() => frames.flush());
  await settle();
  expect(Object.keys(store.getState().turns)).toHaveLength(2);
  expect(streaming().sort()).toEqual(['c-a', 'c-b']);
  // Said in words, for every reader: not a colour alone.
  expect(screen.getAllByTestId('conversation-live').map((el) => el.textContent)).toEqual([
    'Answering…',
    'Answering…',
  ]);
  expect(shownAnswer()).toContain('beta one.');

  // Away from Alpha, its events still arrive; coming back shows them all.
  first.emit(provider(textDelta(0, 'alpha two.')));
  act(() => frames.flush());
  await open(store, 'c-a');
  act(() => frames.flush());
  await settle();
  expect(shownAnswer()).toContain('alpha one. alpha two.');
  expect(store.getState().live?.turnId).toBe(first.turnId);

  // Stop in Beta stops Beta only.
  await open(store, 'c-b');
  act(() => screen.getByTestId('stop').click());
  await settle();
  expect(second.aborted).toBe(true);
  expect(first.aborted).toBe(false);
  await act(async () => void second.end('aborted'));
  await settle();
  expect(streaming()).toEqual(['c-a']);

  first.emit(provider(textDelta(0, ' alpha three.')));
  await act(async () => void first.end('complete'));
  await settle();
  expect(streaming()).toEqual([]);
  expect(store.getState().turns).toEqual({});
  await open(store, 'c-a');
  expect(shownAnswer()).toContain('alpha one. alpha two. alpha three.');
});

test('a stored answer stopped because its page was gone reads Interrupted; one from an older file reads Stopped', async () => {
  const stopped = storedConversation('c-old');
  const answer = stopped.messages[1];
  if (answer?.role !== 'assistant') throw new Error('no answer');
  const interrupted = {
    ...storedConversation('c-gone'),
    messages: [
      stopped.messages[0]!,
      { ...answer, outcome: 'aborted' as const, abortReason: 'client-closed' as const },
    ],
  };
  const old = { ...stopped, messages: [stopped.messages[0]!, { ...answer, outcome: 'aborted' as const }] };
  const { store } = await renderApp({ conversations: [interrupted, old] });

  await open(store, 'c-gone');
  expect(screen.getByTestId('interrupted-notice').textContent).toMatch(
    /^Interrupted — the window that was showing this answer went away/,
  );
  expect(screen.queryByTestId('stopped-notice')).toBeNull();
  await open(store, 'c-old');
  expect(screen.getByTestId('stopped-notice').textContent).toBe('Stopped');
  expect(screen.queryByTestId('interrupted-notice')).toBeNull();
});

test('the conversation on screen is in the address: #/c/<id> opens it, and opening another rewrites it', async () => {
  const a = { ...storedConversation('c-a'), title: 'Alpha' };
  const b = { ...storedConversation('c-b'), title: 'Beta' };
  window.history.replaceState(null, '', `${window.location.pathname}#/c/c-b`);
  const { store, wrap } = setup({ conversations: [a, b] });
  render(wrap(<App />));
  await settle();
  expect(store.getState().activeId).toBe('c-b');
  expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Beta');
  await open(store, 'c-a');
  expect(window.location.hash).toBe('#/c/c-a');
  act(() => store.getState().newChat());
  expect(window.location.hash).toBe('');
  window.history.replaceState(null, '', window.location.pathname);
});
