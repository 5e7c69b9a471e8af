// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import type { StreamEvent } from '../../src/shared/protocol';
import { act, blockStop, cleanup, messageStart, provider, renderApp, sendMessage, settle } from './support';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const toolStart = (index: number, name = 'calculator'): StreamEvent => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'tool_use', id: `toolu_${index}`, name, input: {} },
});
const inputDelta = (index: number, partial_json: string): StreamEvent => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'input_json_delta', partial_json },
});

test('a tool card shows the raw input as text while it streams, and parsed arguments only after the stop', async () => {
  const { store, client, frames } = await renderApp();
  const turn = await sendMessage(store, client, 'what is 17.5*4?');
  turn.emit(provider(messageStart()));
  turn.emit(provider(toolStart(0)));
  act(() => frames.flush());

  const parse = vi.spyOn(JSON, 'parse');
  let raw = '';
  // Fragments cut inside a key, a number and after the last brace, as the wire does.
  for (const fragment of ['{"expr', 'ession": "17', '.5 * 4", "precision": 1', '2}']) {
    raw += fragment;
    turn.emit(provider(inputDelta(0, fragment)));
    act(() => frames.flush());
    const card = screen.getByTestId('tool-card');
    expect(card.dataset['status']).toBe('streaming');
    expect(within(card).getByTestId('tool-raw-input').textContent).toBe(raw);
    expect(within(card).queryByTestId('tool-parsed-input')).toBeNull();
  }
  expect(parse).not.toHaveBeenCalled();

  turn.emit(provider(blockStop(0)));
  parse.mockClear(); // the fake main process has parsed its own copy; count the window's
  act(() => frames.flush());

  const card = screen.getByTestId('tool-card');
  expect(card.dataset['status']).toBe('parsed');
  expect(within(card).queryByTestId('tool-raw-input')).toBeNull();
  expect(within(card).getByTestId('tool-parsed-input').textContent).toBe(
    JSON.stringify({ expression: '17.5 * 4', precision: 12 }, null, 2),
  );
  // Parsed once, by the shared reducer at the stop, on the whole text.
  expect(parse.mock.calls).toEqual([[raw]]);

  turn.emit({
    type: 'tool_result',
    step: 0,
    result: { toolUseId: 'toolu_0', name: 'calculator', content: 'division by zero', isError: true },
  });
  act(() => frames.flush());
  const result = within(screen.getByTestId('tool-card')).getByTestId('tool-result');
  expect(result.textContent).toContain('division by zero');
  expect(result.dataset['error']).toBe('true');
});

test('tool input that does not parse shows the failure and the raw text, and no result', async () => {
  const { store, client, frames } = await renderApp();
  const turn = await sendMessage(store, client, 'go');
  turn.emit(provider(messageStart()));
  turn.emit(provider(toolStart(0)));
  turn.emit(provider(inputDelta(0, '{"expression": 17.5 *')));
  turn.emit(provider(blockStop(0)));
  // The relay reports the tool as not run; the card already says so and shows no result.
  turn.emit({
    type: 'tool_result',
    step: 0,
    result: { toolUseId: 'toolu_0', name: 'calculator', content: 'The tool was not run.', isError: true },
  });
  act(() => frames.flush());

  const card = screen.getByTestId('tool-card');
  expect(card.dataset['status']).toBe('failed');
  expect(within(card).getByTestId('tool-failure').textContent).toContain(
    'The arguments could not be parsed, so the tool was not run.',
  );
  expect(within(card).getByTestId('tool-raw-input').textContent).toBe('{"expression": 17.5 *');
  expect(within(card).queryByTestId('tool-parsed-input')).toBeNull();
  expect(within(card).queryByTestId('tool-result')).toBeNull();
});

test('tool input cut off by the end of the stream is marked not run once the turn ends', async () => {
  const { store, client, frames } = await renderApp();
  const turn = await sendMessage(store, client, 'write it');
  turn.emit(provider(messageStart()));
  turn.emit(provider(toolStart(0, 'write_file')));
  turn.emit(provider(inputDelta(0, '{"path": "a.md", "content": "# Qua')));
  turn.emit(
    provider({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 9 } }),
  );
  turn.emit(provider({ type: 'message_stop' }));
  act(() => frames.flush());
  expect(screen.getByTestId('tool-card').dataset['status']).toBe('streaming');

  await act(async () => void turn.end('complete'));
  await settle();

  const card = screen.getByTestId('tool-card');
  expect(card.dataset['status']).toBe('failed');
  expect(within(card).getByTestId('tool-raw-input').textContent).toBe('{"path": "a.md", "content": "# Qua');
  expect(screen.getByTestId('max-tokens-notice').textContent).toContain('Cut off at the max tokens limit');
});

test('redacted reasoning and block types the UI does not know are small neutral chips', async () => {
  const { store, client, frames } = await renderApp();
  const turn = await sendMessage(store, client, 'search the web');
  turn.emit(provider(messageStart()));
  turn.emit(
    provider({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'redacted_thinking', data: 'EqQBCgIYAh' },
    }),
  );
  turn.emit(
    provider({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
    } as unknown as StreamEvent),
  );
  act(() => frames.flush());
  expect(screen.getByTestId('redacted-thinking').textContent).toBe('Redacted reasoning');
  expect(screen.getByTestId('opaque-block').textContent).toBe('web_search_tool_result');
});

test('a call the answer ended without says so: stopped before it ran after Stop, not run after an error', async () => {
  for (const [outcome, label] of [
    ['aborted', 'stopped before it ran'],
    ['error', 'not run'],
  ] as const) {
    const { store, client, frames } = await renderApp();
    const turn = await sendMessage(store, client, 'what is 2+2?');
    turn.emit(provider(messageStart()));
    turn.emit(provider(toolStart(0)));
    turn.emit(provider(inputDelta(0, '{"expression": "2+2"}')));
    turn.emit(provider(blockStop(0)));
    act(() => frames.flush());
    expect(screen.getByTestId('tool-card').querySelector('.tool-state')?.textContent).toBe('arguments ready');
    await act(async () => void turn.end(outcome));
    await settle();
    expect(screen.getByTestId('tool-card').querySelector('.tool-state')?.textContent).toBe(label);
    cleanup();
  }
});
