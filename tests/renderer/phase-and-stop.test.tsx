// @vitest-environment happy-dom
import { fireEvent, screen } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
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
  textDelta,
  textStart,
} from './support';

afterEach(cleanup);

const phase = () => screen.queryByTestId('phase-line');

test('the phase line walks connecting → waiting → thinking → answering, with elapsed time, and goes at the end', async () => {
  const { store, client, frames, clock } = await renderApp();
  const turn = await sendMessage(store, client, 'think hard');
  // From the moment of sending, before any event has been applied.
  expect(phase()?.dataset['phase']).toBe('connecting');
  expect(phase()?.textContent).toBe('Connecting…');

  turn.emit({ type: 'status', status: { phase: 'connecting', attempt: 1 } });
  act(() => frames.flush());
  expect(phase()?.dataset['phase']).toBe('connecting');

  clock.t += 3200;
  turn.emit({ type: 'status', status: { phase: 'waiting', attempt: 1, ttfbMs: 120 } });
  act(() => frames.flush());
  expect(phase()?.dataset['phase']).toBe('waiting');
  expect(phase()?.textContent).toBe('Waiting for the model · 3.2 s');

  const thinkingStart: StreamEvent = {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'thinking', thinking: '' },
  };
  turn.emit(provider(messageStart()));
  turn.emit(provider(thinkingStart));
  turn.emit(
    provider({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm, ' } }),
  );
  act(() => frames.flush());
  expect(phase()?.dataset['phase']).toBe('thinking');
  expect(phase()?.textContent).toBe('Thinking · 0.0 s');
  expect(screen.getByTestId('thinking-panel').textContent).toContain('Hmm,');

  turn.emit(provider(blockStop(0)));
  turn.emit(provider(textStart(1)));
  turn.emit(provider(textDelta(1, 'Yes.')));
  act(() => frames.flush());
  expect(phase()?.dataset['phase']).toBe('answering');
  expect(phase()?.textContent).toBe('Answering…');

  await act(async () => void turn.end('complete'));
  await settle();
  expect(phase()).toBeNull();
});

test('retries and tool runs are said in words', async () => {
  const { store, client, frames, clock } = await renderApp();
  const turn = await sendMessage(store, client, 'hi');
  turn.emit({
    type: 'status',
    status: { phase: 'retrying', attempt: 2, delayMs: 2000, reason: 'overloaded', status: 529 },
  });
  act(() => frames.flush());
  expect(phase()?.textContent).toBe('Retrying in 2 s (attempt 2, overloaded)');
  clock.t += 1500;
  turn.emit({ type: 'status', status: { phase: 'running_tools', toolUseIds: ['toolu_1'] } });
  act(() => frames.flush());
  expect(phase()?.textContent).toBe('Running tools…');
});

test('Stop halts at once: queued and late events of that turn are never shown, and the upstream is aborted', async () => {
  const { store, client, frames } = await renderApp();
  const turn = await sendMessage(store, client, 'tell me a story');
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  turn.emit(provider(textDelta(0, 'Once upon')));
  act(() => frames.flush());
  expect(screen.getByTestId('assistant-text').textContent).toBe('Once upon');

  turn.emit(provider(textDelta(0, ' a time'))); // arrived, waiting for the next frame
  fireEvent.click(screen.getByTestId('stop'));
  expect(turn.aborted).toBe(true);
  act(() => frames.flush());
  turn.emit(provider(textDelta(0, ' there was')));
  act(() => frames.flush());

  expect(frames.pending()).toBe(0);
  expect(screen.getByTestId('assistant-text').textContent).toBe('Once upon');
  const answer = screen.getAllByTestId('message').at(-1);
  expect(answer?.dataset['outcome']).toBe('aborted');
  expect(screen.getByTestId('stopped-notice').textContent).toBe('Stopped');
  expect(phase()).toBeNull();

  // The main process ends the turn; it had received more than the screen showed at the click.
  await act(async () => void turn.end('aborted'));
  await settle();
  expect(client.lastTurn?.events.filter((e) => e.type === 'provider')).toHaveLength(5);
  expect(screen.getByTestId('assistant-text').textContent).toBe('Once upon');
  expect(screen.getAllByTestId('message').at(-1)?.dataset['outcome']).toBe('aborted');
  expect(screen.getByTestId('metrics-footer')).toBeTruthy();
  expect(screen.queryByTestId('stop')).toBeNull();
});

test('Esc stops the streaming answer', async () => {
  const { store, client, frames } = await renderApp();
  const turn = await sendMessage(store, client, 'hi');
  act(() => frames.flush());
  expect(screen.getByTestId('stop')).toBeTruthy();
  fireEvent.keyDown(window, { key: 'Escape' });
  expect(turn.aborted).toBe(true);
  expect(screen.getByTestId('stopped-notice')).toBeTruthy();
});
