// @vitest-environment happy-dom
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import {
  act,
  cleanup,
  messageStart,
  provider,
  renderApp,
  settle,
  storedConversation,
  textDelta,
  textStart,
} from './support';

afterEach(cleanup);

const titles = () =>
  screen
    .queryAllByTestId('conversation-item')
    .map((li) => li.querySelector('.conversation-title')?.textContent);

test('a new chat gets its id from turn_start, then appears in the sidebar newest first', async () => {
  const older = storedConversation('c-old');
  const { store, client, frames } = await renderApp({ conversations: [older] });
  expect(titles()).toEqual(['Earlier']);

  const input = screen.getByTestId('composer-input');
  fireEvent.change(input, { target: { value: 'Plan a trip to Lisbon' } });
  fireEvent.keyDown(input, { key: 'Enter' });
  await settle();
  expect(store.getState().activeId).toBeNull();
  expect((input as HTMLTextAreaElement).value).toBe('');

  act(() => frames.flush()); // turn_start
  await settle();
  const turn = client.lastTurn!;
  expect(store.getState().activeId).toBe(turn.conversation.id);

  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  turn.emit(provider(textDelta(0, 'Sure.')));
  act(() => frames.flush());
  await act(async () => void turn.end('complete'));
  await settle();

  expect(titles()).toEqual(['Plan a trip to Lisbon', 'Earlier']);
  expect(screen.getAllByTestId('conversation-item').map((li) => li.dataset['active'])).toEqual([
    'true',
    'false',
  ]);
  expect(screen.getAllByTestId('message').map((m) => m.dataset['role'])).toEqual(['user', 'assistant']);
});

test('Shift+Enter does not send', async () => {
  const { client } = await renderApp();
  const input = screen.getByTestId('composer-input');
  fireEvent.change(input, { target: { value: 'line one' } });
  fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
  await settle();
  expect(client.turns).toHaveLength(0);
});

test('search filters titles; rename is inline; delete asks first', async () => {
  const { client } = await renderApp({
    conversations: [
      { ...storedConversation('a'), title: 'Rust lifetimes', updatedAt: 2 },
      { ...storedConversation('b'), title: 'Sourdough', updatedAt: 1 },
    ],
  });
  fireEvent.change(screen.getByTestId('conversation-search'), { target: { value: 'sour' } });
  expect(titles()).toEqual(['Sourdough']);
  fireEvent.change(screen.getByTestId('conversation-search'), { target: { value: '' } });

  const first = screen.getAllByTestId('conversation-item')[0]!;
  fireEvent.click(within(first).getByTestId('rename'));
  const field = within(first).getByTestId('rename-input');
  fireEvent.change(field, { target: { value: '   ' } });
  fireEvent.keyDown(field, { key: 'Enter' });
  await settle();
  expect(first.textContent).toContain('The title is empty.');
  fireEvent.change(field, { target: { value: 'Borrow checker' } });
  fireEvent.keyDown(field, { key: 'Enter' });
  await settle();
  expect(titles()).toEqual(['Borrow checker', 'Sourdough']);
  expect((await client.getConversation('a')).title).toBe('Borrow checker');

  const second = screen.getAllByTestId('conversation-item')[1]!;
  fireEvent.click(within(second).getByTestId('delete'));
  expect(titles()).toEqual(['Borrow checker', undefined]); // the row now asks to confirm
  fireEvent.click(within(second).getByTestId('delete-confirm'));
  await settle();
  expect(titles()).toEqual(['Borrow checker']);
  expect((await client.listConversations()).map((c) => c.id)).toEqual(['a']);
});

test('a user message can be edited and sent again as a new version of it; what followed it makes way on screen', async () => {
  const conversation = storedConversation();
  const { store, client } = await renderApp({ conversations: [conversation] });
  await act(() => store.getState().openConversation(conversation.id));
  fireEvent.click(screen.getByTestId('edit-message'));
  const editor = screen.getByTestId('edit-input');
  fireEvent.change(editor, { target: { value: 'A better question' } });
  fireEvent.click(screen.getByTestId('edit-submit'));
  await settle();
  expect(client.lastTurn?.request).toEqual({
    action: 'edit',
    conversationId: conversation.id,
    messageId: conversation.messages[0]?.id,
    text: 'A better question',
  });
  const messages = screen.getAllByTestId('message');
  expect(messages.map((m) => m.dataset['role'])).toEqual(['user', 'assistant']);
  expect(messages[0]?.textContent).toContain('A better question');
  expect(messages[1]?.dataset['outcome']).toBe('streaming');
});

test('Enter pressed while the last answer is being put away is sent once it is, not dropped', async () => {
  const { store, client, frames } = await renderApp();
  const input = screen.getByTestId('composer-input');
  fireEvent.change(input, { target: { value: 'first' } });
  fireEvent.keyDown(input, { key: 'Enter' });
  await settle();
  act(() => frames.flush());
  const turn = client.lastTurn!;
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  turn.emit(provider(textDelta(0, 'One.')));
  act(() => frames.flush());

  // The stored copy is slow to come back: the composer is busy putting the answer away.
  const read = client.getConversation.bind(client);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  client.getConversation = async (id) => {
    await held;
    return read(id);
  };
  await act(async () => void turn.end('complete'));
  await settle();
  expect(store.getState().live?.terminal).toBeTruthy();

  fireEvent.change(input, { target: { value: 'second' } });
  fireEvent.keyDown(input, { key: 'Enter' });
  await settle();
  expect(client.turns).toHaveLength(1);
  expect((input as HTMLTextAreaElement).value).toBe('second');

  await act(async () => release());
  await settle();
  expect(client.turns).toHaveLength(2);
  expect(client.lastTurn!.request).toMatchObject({ action: 'send', text: 'second' });
  expect((input as HTMLTextAreaElement).value).toBe('');
});
