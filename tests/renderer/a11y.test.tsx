// @vitest-environment happy-dom
// What a screen reader hears of a streaming answer (the polite live region), and where keyboard
// focus goes when the page moves it.
import { fireEvent, screen } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import { announcementOf, createAnnouncer } from '../../src/renderer/src/lib/announce';
import type { StreamEvent } from '../../src/shared/protocol';
import {
  act,
  blockStop,
  cleanup,
  messageStart,
  provider,
  renderApp,
  sendMessage,
  settle,
  storedConversation,
  textDelta,
  textStart,
} from './support';

afterEach(cleanup);

const region = () => screen.getByTestId('live-status');
const composer = () => screen.getByTestId('composer-input');
const activeTestId = () =>
  document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName;
/** Lets the focus keeper's timer run. */
const tick = () => act(() => new Promise((r) => setTimeout(r, 5)));

const thinkingStart: StreamEvent = {
  type: 'content_block_start',
  index: 0,
  content_block: { type: 'thinking', thinking: '' },
};
const thinkingDelta = (text: string): StreamEvent => ({
  type: 'content_block_delta',
  index: 0,
  delta: { type: 'thinking_delta', thinking: text },
});

test('the live region says each phase once: waiting, thinking, answering, then the outcome — not per token or tick', async () => {
  const { store, client, frames, clock } = await renderApp();
  const live = region();
  expect(live.getAttribute('role')).toBe('status');
  expect(live.getAttribute('aria-live')).toBe('polite');
  // Every text the region took, in order, looked at after every frame (a screen reader speaks
  // each change).
  const said: string[] = [];
  const look = () => {
    const text = live.textContent;
    if (text !== (said.at(-1) ?? '')) said.push(text);
  };
  const frame = () => {
    act(() => frames.flush());
    look();
  };

  const turn = await sendMessage(store, client, 'think, then answer');
  turn.emit({ type: 'status', status: { phase: 'connecting', attempt: 1 } });
  turn.emit({ type: 'status', status: { phase: 'waiting', attempt: 1, ttfbMs: 80 } });
  frame();
  // The phase line's clock ticks; the region does not.
  for (let i = 0; i < 10; i++) {
    clock.t += 300;
    turn.emit({ type: 'status', status: { phase: 'waiting', attempt: 1, ttfbMs: 80 } });
    frame();
  }
  expect(screen.getByTestId('phase-line').textContent).toBe('Waiting for the model · 3.0 s');
  expect(screen.getByTestId('phase-line').getAttribute('role')).toBeNull();

  turn.emit(provider(messageStart()));
  turn.emit(provider(thinkingStart));
  for (let i = 0; i < 20; i++) {
    turn.emit(provider(thinkingDelta(`step ${i} `)));
    frame();
  }
  turn.emit(provider(blockStop(0)));
  turn.emit(provider(textStart(1)));
  for (let i = 0; i < 50; i++) {
    turn.emit(provider(textDelta(1, `word${i} `)));
    frame();
  }
  await act(async () => void turn.end('complete'));
  await settle();
  look();

  expect(said).toEqual(['Waiting for the model.', 'Thinking.', 'Answering.', 'Answer complete.']);
  // Still there once the turn has handed over to the stored answer.
  expect(live.textContent).toBe('Answer complete.');
});

test('Stop and an error are said in the region, the error with its sentence', async () => {
  const { store, client, frames } = await renderApp();
  const first = await sendMessage(store, client, 'one');
  first.emit(provider(messageStart()));
  first.emit(provider(textStart(0)));
  first.emit(provider(textDelta(0, 'Partial')));
  act(() => frames.flush());
  expect(region().textContent).toBe('Answering.');
  fireEvent.click(screen.getByTestId('stop'));
  expect(region().textContent).toBe('Stopped. The answer so far is kept.');
  await act(async () => void first.end('aborted'));
  await settle();

  const second = await sendMessage(store, client, 'two');
  act(() => frames.flush());
  expect(region().textContent).toBe('Waiting for the model.');
  await act(
    async () =>
      void second.end('error', {
        type: 'overloaded',
        message: 'The provider is overloaded right now.',
        retryable: true,
      }),
  );
  await settle();
  expect(region().textContent).toBe('Error: The provider is overloaded right now.');
});

test('the announcer speaks once per key: the same phase fed again is silent', () => {
  const said: string[] = [];
  const announce = createAnnouncer((t) => said.push(t));
  const base = { key: 7, stopped: false, terminal: null } as const;
  const waiting = { ...base, phase: { kind: 'waiting', since: 0 } } as unknown as Parameters<
    typeof announce
  >[0];
  for (let i = 0; i < 30; i++) announce(waiting);
  announce(null);
  announce(waiting);
  expect(said).toEqual(['Waiting for the model.']);
  expect(announcementOf(waiting)?.key).toBe('7:waiting');
});

test('the message box has focus on open, after Stop, and after a new chat or another conversation opens', async () => {
  const { store, client, frames } = await renderApp({ conversations: [storedConversation()] });
  expect(activeTestId()).toBe('composer-input');

  const turn = await sendMessage(store, client, 'hello');
  act(() => frames.flush());
  const stop = screen.getByTestId('stop');
  expect(stop.getAttribute('aria-label')).toBe('Stop answer in “hello”');
  stop.focus();
  fireEvent.click(stop);
  expect(screen.queryByTestId('stop')).toBeNull();
  expect(activeTestId()).toBe('composer-input');
  await act(async () => void turn.end('aborted'));
  await settle();

  screen.getByTestId('new-chat').focus();
  fireEvent.click(screen.getByTestId('new-chat'));
  expect(activeTestId()).toBe('composer-input');

  const open = screen.getByText('Earlier').closest('button');
  open?.focus();
  fireEvent.click(open!);
  await settle();
  expect(activeTestId()).toBe('composer-input');
});

test('a focused Stop that the end of the answer takes away leaves focus in the message box', async () => {
  const { store, client, frames } = await renderApp();
  const turn = await sendMessage(store, client, 'hello');
  act(() => frames.flush());
  screen.getByTestId('stop').focus();
  expect(activeTestId()).toBe('stop');
  await act(async () => void turn.end('complete'));
  await settle();
  await tick();
  expect(screen.queryByTestId('stop')).toBeNull();
  expect(activeTestId()).toBe('composer-input');
});

test('a dialog gives focus back to the button that opened it, or to the message box when nothing did', async () => {
  const { store } = await renderApp();
  const button = screen.getByTestId('settings-button');
  button.focus();
  fireEvent.click(button);
  const panel = await screen.findByTestId('settings-panel');
  await settle();
  expect(panel.contains(document.activeElement)).toBe(true);
  fireEvent.keyDown(panel, { key: 'Escape' });
  expect(screen.queryByTestId('settings-panel')).toBeNull();
  expect(activeTestId()).toBe('settings-button');

  // Opened with nothing focused (as a warning's link would after its answer re-rendered).
  (document.activeElement as HTMLElement | null)?.blur();
  act(() => store.getState().openRunbook());
  expect(await screen.findByTestId('runbook-panel')).toBeTruthy();
  act(() => store.getState().closeRunbook());
  expect(activeTestId()).toBe('composer-input');
});

test('Ctrl+/ focuses the message box from anywhere, and the hint says so', async () => {
  await renderApp();
  screen.getByTestId('settings-button').focus();
  fireEvent.keyDown(window, { key: '/', code: 'Slash', ctrlKey: true });
  expect(activeTestId()).toBe('composer-input');
  expect(composer().getAttribute('aria-keyshortcuts')).toContain('Control+Slash');
  expect(screen.getByText(/Ctrl\+\/ comes back here/)).toBeTruthy();
});
