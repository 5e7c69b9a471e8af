// @vitest-environment happy-dom
// The thinking panel (markdown, one-line summary once the answer starts) and the follow-the-bottom
// rules of the message list and the panel (lib/follow), which need no layout to be decided.
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import { createFollower } from '../../src/renderer/src/lib/follow';
import { thinkingSummary } from '../../src/renderer/src/components/ThinkingPanel';
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

const thinkingStart: StreamEvent = {
  type: 'content_block_start',
  index: 0,
  content_block: { type: 'thinking', thinking: '' },
};
const thinkingDelta = (thinking: string): StreamEvent => ({
  type: 'content_block_delta',
  index: 0,
  delta: { type: 'thinking_delta', thinking },
});

test('the summary line: words while thinking, then the time from first to last delta, or none when unknown', () => {
  expect(thinkingSummary(3, true, null)).toBe('Thinking… · 3 words');
  expect(thinkingSummary(1098, false, { first: 1000, last: 13_400 })).toBe(
    'Thought for 12.4 s · 1,098 words',
  );
  expect(thinkingSummary(1098, false, null)).toBe('Thought · 1,098 words');
  expect(thinkingSummary(1, false, null)).toBe('Thought · 1 word');
});

test('the thinking panel renders markdown while it streams, then folds to one line with its duration, and opens again', async () => {
  const { store, client, frames, clock } = await renderApp();
  const turn = await sendMessage(store, client, 'think hard');
  turn.emit(provider(messageStart()));
  turn.emit(provider(thinkingStart));
  turn.emit(provider(thinkingDelta('First, **the key** idea:\n\n- one\n- two\n\n')));
  act(() => frames.flush());
  const panel = screen.getByTestId('thinking-panel');
  const toggle = within(panel).getByRole('button');
  expect(toggle.getAttribute('aria-expanded')).toBe('true');
  expect(within(panel).getByTestId('thinking-summary').textContent).toBe('Thinking… · 6 words');
  expect(panel.querySelector('strong')?.textContent).toBe('the key');
  expect(panel.querySelectorAll('li')).toHaveLength(2);
  expect(panel.textContent).not.toContain('**');
  // The panel's markdown is not the answer's text.
  expect(screen.queryByTestId('assistant-text')).toBeNull();

  clock.t += 12_400;
  turn.emit(provider(thinkingDelta('Then <b>raw html</b> stays text.')));
  act(() => frames.flush());
  expect(panel.querySelector('b')).toBeNull();
  expect(panel.textContent).toContain('<b>raw html</b>');

  clock.t += 300; // after the last delta: not thinking time
  turn.emit(provider(blockStop(0)));
  turn.emit(provider(textStart(1)));
  turn.emit(provider(textDelta(1, 'The answer.')));
  act(() => frames.flush());
  expect(toggle.getAttribute('aria-expanded')).toBe('false');
  expect(panel.dataset['open']).toBe('false');
  expect(within(panel).getByTestId('thinking-summary').textContent).toBe('Thought for 12.4 s · 11 words');
  expect(panel.querySelector('.thinking-text')?.hasAttribute('hidden')).toBe(true);
  expect(toggle.getAttribute('aria-controls')).toBe(panel.querySelector('.thinking-text')?.id);

  // The duration outlives the live turn: the stored answer keeps the panel.
  await act(async () => void turn.end('complete'));
  await settle();
  const stored = screen.getByTestId('thinking-panel');
  expect(within(stored).getByTestId('thinking-summary').textContent).toBe('Thought for 12.4 s · 11 words');
  fireEvent.click(within(stored).getByRole('button'));
  expect(within(stored).getByRole('button').getAttribute('aria-expanded')).toBe('true');
  expect(stored.querySelector('strong')?.textContent).toBe('the key');
});

test('a reopened answer without timings says "Thought · N words", folded', async () => {
  const conversation = storedConversation('c-think');
  const answer = conversation.messages[1];
  if (answer?.role !== 'assistant' || !answer.steps[0]) throw new Error('fixture');
  answer.steps[0].message.blocks = [
    { type: 'thinking', thinking: 'Weigh *both* options first.', signature: 'sig' },
    ...answer.steps[0].message.blocks,
  ];
  const { store } = await renderApp({ conversations: [conversation] });
  await act(() => store.getState().openConversation(conversation.id));
  const panel = screen.getByTestId('thinking-panel');
  expect(within(panel).getByTestId('thinking-summary').textContent).toBe('Thought · 4 words');
  expect(within(panel).getByRole('button').getAttribute('aria-expanded')).toBe('false');
  fireEvent.click(within(panel).getByRole('button'));
  expect(panel.querySelector('em')?.textContent).toBe('both');
});

const at = (top: number, height = 2000, client = 500) => ({ top, height, client });

test('following: content growth keeps it, any move up stops it at once, the bottom resumes it', () => {
  const f = createFollower();
  f.set(at(1500));
  expect(f.following).toBe(true);
  // Content grows: scroll to the bottom again.
  expect(f.resized(at(1500, 2100))).toBe(true);
  f.set(at(1600, 2100));
  f.scrolled(at(1600, 2100));
  expect(f.following).toBe(true);

  // One small move up (a wheel notch, an arrow key, a drag) is enough.
  f.scrolled(at(1590, 2100));
  expect(f.following).toBe(false);
  expect(f.newBelow).toBe(false);
  // Growth no longer scrolls, and is news below.
  expect(f.resized(at(1590, 2200))).toBe(false);
  expect(f.newBelow).toBe(true);
  // Moving down short of the bottom does not resume.
  f.scrolled(at(1650, 2200));
  expect(f.following).toBe(false);
  // The bottom does.
  f.scrolled(at(1700, 2200));
  expect(f.following).toBe(true);
  expect(f.newBelow).toBe(false);
});

test('following: a wheel turn up stops it before any scroll event; content shrinking does not', () => {
  const f = createFollower();
  f.set(at(1500));
  f.wheeled(40);
  expect(f.following).toBe(true);
  f.wheeled(-120);
  expect(f.following).toBe(false);
  f.follow();
  expect(f.following).toBe(true);

  // The content shrank (a block collapsed): the browser clamps the position up, not the reader.
  f.set(at(1500));
  f.resized(at(1500, 1800));
  f.scrolled(at(1300, 1800));
  expect(f.following).toBe(true);
});

test('following: the change callback fires on transitions only', () => {
  let changes = 0;
  const f = createFollower(() => changes++);
  f.set(at(1500));
  f.scrolled(at(1500));
  f.scrolled(at(1400));
  f.scrolled(at(1300));
  expect(changes).toBe(1);
  f.resized(at(1300, 2100));
  f.resized(at(1300, 2200));
  expect(changes).toBe(2);
  f.follow();
  expect(changes).toBe(3);
});

test('following: growth that is not new text (a panel opened above) is no news below', () => {
  const f = createFollower();
  f.set(at(1500));
  f.scrolled(at(1200));
  expect(f.following).toBe(false);
  expect(f.resized(at(1200, 2400), false)).toBe(false);
  expect(f.newBelow).toBe(false);
  f.resized(at(1200, 2500), true);
  expect(f.newBelow).toBe(true);
});

test('following: released for a search hit, growth below does not take the view back; the bottom resumes it', () => {
  const f = createFollower();
  f.set(at(1500));
  expect(f.following).toBe(true);
  f.release();
  expect(f.following).toBe(false);
  // The hit's message is scrolled into view far up; then highlighting makes the content taller.
  f.set(at(200));
  expect(f.resized(at(200, 2600), false)).toBe(false);
  expect(f.newBelow).toBe(false);
  // Reaching the bottom again is following again.
  f.scrolled(at(2100, 2600));
  expect(f.following).toBe(true);
});
