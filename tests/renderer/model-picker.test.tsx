// @vitest-environment happy-dom
// The composer's model picker: lists each provider's models (once per session), the choice rides
// on the next request and sticks to the conversation, and it works from the keyboard.
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import { SIM_SCENARIOS, type Conversation, type ProviderConfig } from '../../src/shared/protocol';
import type { FakeOptions } from './fake-client';
import {
  act,
  blockStop,
  cleanup,
  messageStart,
  provider,
  renderApp,
  settle,
  storedConversation,
  textDelta,
  textStart,
} from './support';

afterEach(() => cleanup());

const ollama: ProviderConfig = {
  id: 'ollama',
  preset: 'ollama',
  name: 'Ollama',
  baseURL: 'http://127.0.0.1:11434/v1',
  model: 'llama3.2',
};

async function renderWithOllama(options: FakeOptions = {}) {
  const env = await renderApp({ ...options, settings: { providers: [ollama], ...options.settings } });
  env.client.models['ollama'] = ['llama3.2', 'qwen3:8b'];
  return env;
}

const picker = () => screen.getByTestId('model-picker');
const openPicker = async () => {
  await act(async () => {
    fireEvent.click(picker());
  });
  await settle();
};
const typeAndSend = async (text: string) => {
  fireEvent.change(screen.getByTestId('composer-input'), { target: { value: text } });
  await act(async () => {
    fireEvent.click(screen.getByTestId('send'));
  });
  await settle();
};

test('a new chat starts on the default: the settings provider and its model', async () => {
  await renderWithOllama();
  expect(picker().textContent).toContain('Simulated · sim-text');
  cleanup();
  await renderWithOllama({ settings: { provider: 'ollama' } });
  expect(picker().textContent).toContain('Ollama · llama3.2');
});

test('opening lists every provider with its models from listModels; a failed list says why and takes a typed id', async () => {
  const { client } = await renderWithOllama();
  await openPicker();
  expect(client.calls.listModels.map((r) => r.provider)).toEqual(['simulated', 'anthropic', 'ollama']);
  const popup = screen.getByTestId('model-picker-popup');
  expect(popup.getAttribute('role')).toBe('dialog');
  expect(picker().getAttribute('aria-expanded')).toBe('true');
  const ollamaGroup = screen.getByTestId('model-picker-group-ollama');
  expect(within(ollamaGroup).getByRole('listbox')).toBeTruthy();
  expect(
    within(ollamaGroup)
      .getAllByRole('option')
      .map((o) => o.textContent),
  ).toEqual(['llama3.2', 'qwen3:8b']);
  expect(screen.getByTestId('model-picker-option-simulated-sim-text').getAttribute('aria-selected')).toBe(
    'true',
  );
  // Anthropic is not in the fake's list: its sentence, and a text field.
  expect(screen.getByTestId('model-picker-error-anthropic').textContent).toContain(
    "Couldn't list models: Nothing is listening for anthropic.",
  );
  fireEvent.change(screen.getByTestId('model-picker-custom-anthropic'), { target: { value: 'claude-x-1' } });
  await act(async () => {
    fireEvent.click(screen.getByTestId('model-picker-custom-use-anthropic'));
  });
  expect(picker().textContent).toContain('Anthropic · claude-x-1');
  expect(screen.queryByTestId('model-picker-popup')).toBeNull();

  // Cached for the session: opening again asks nobody.
  await openPicker();
  expect(client.calls.listModels).toHaveLength(3);
});

test('a send after picking carries request.model; the conversation keeps it for the next turn', async () => {
  const { client, frames } = await renderWithOllama();
  await openPicker();
  await act(async () => {
    fireEvent.click(screen.getByTestId('model-picker-option-ollama-qwen3:8b'));
  });
  expect(picker().textContent).toContain('Ollama · qwen3:8b');
  await typeAndSend('Hello');

  const turn = client.lastTurn!;
  expect(turn.request).toEqual({
    action: 'send',
    conversationId: null,
    text: 'Hello',
    model: { provider: 'ollama', model: 'qwen3:8b' },
  });
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  turn.emit(provider(textDelta(0, 'Hi there.')));
  turn.emit(provider(blockStop(0)));
  act(() => frames.flush());
  // The answer is named after the provider that gave it.
  expect(screen.getByTestId('message-who').textContent).toBe('Ollama');
  await act(async () => {
    turn.end('complete');
  });
  await settle();

  const stored = await client.getConversation(turn.conversation.id);
  expect(stored.model).toEqual({ provider: 'ollama', model: 'qwen3:8b' });
  const header = screen.getAllByTestId('message').at(-1)!;
  expect(within(header).getByTestId('message-who').textContent).toBe('Ollama');
  expect(header.querySelector('.model')?.textContent).toBe('qwen3:8b');
  expect(picker().textContent).toContain('Ollama · qwen3:8b');
});

test('an existing conversation shows its stored choice; another chat shows its own, a new chat the default', async () => {
  const withChoice: Conversation = {
    ...storedConversation('c-ollama'),
    title: 'On Ollama',
    model: { provider: 'ollama', model: 'qwen3:8b' },
  };
  const { store } = await renderWithOllama({ conversations: [withChoice, storedConversation('c-plain')] });
  await act(async () => {
    await store.getState().openConversation('c-ollama');
  });
  expect(picker().textContent).toContain('Ollama · qwen3:8b');
  await act(async () => {
    await store.getState().openConversation('c-plain');
  });
  expect(picker().textContent).toContain('Simulated · sim-text');
  act(() => store.getState().newChat());
  expect(picker().textContent).toContain('Simulated · sim-text');
});

test('regenerate carries the choice picked for an existing conversation', async () => {
  const { client, store } = await renderWithOllama({ conversations: [storedConversation('c-old')] });
  await act(async () => {
    await store.getState().openConversation('c-old');
  });
  await openPicker();
  await act(async () => {
    fireEvent.click(screen.getByTestId('model-picker-option-ollama-llama3.2'));
  });
  const answerId = (await client.getConversation('c-old')).messages.at(-1)?.id;
  await act(async () => {
    fireEvent.click(screen.getByTestId('regenerate'));
  });
  await settle();
  expect(client.lastTurn?.request).toEqual({
    action: 'regenerate',
    conversationId: 'c-old',
    messageId: answerId,
    model: { provider: 'ollama', model: 'llama3.2' },
  });
});

test('keyboard: ArrowDown opens it on the chosen model, arrows move, Enter picks, Escape closes; focus returns to the trigger', async () => {
  const { store } = await renderWithOllama();
  picker().focus();
  await act(async () => {
    fireEvent.keyDown(picker(), { key: 'ArrowDown' });
  });
  await settle();
  const chosen = screen.getByTestId('model-picker-option-simulated-sim-text');
  expect(document.activeElement).toBe(chosen);

  // Escape closes without stopping anything, and gives focus back.
  const stop = store.getState().stop;
  let stopped = 0;
  store.setState({ stop: () => void stopped++ });
  fireEvent.keyDown(chosen, { key: 'Escape' });
  await settle();
  expect(screen.queryByTestId('model-picker-popup')).toBeNull();
  expect(document.activeElement).toBe(picker());
  expect(stopped).toBe(0);
  store.setState({ stop });

  await act(async () => {
    fireEvent.keyDown(picker(), { key: 'ArrowDown' });
  });
  await settle();
  const popup = screen.getByTestId('model-picker-popup');
  fireEvent.keyDown(document.activeElement!, { key: 'End' });
  expect(document.activeElement).toBe(screen.getByTestId('model-picker-option-ollama-qwen3:8b'));
  fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
  expect(document.activeElement).toBe(screen.getByTestId('model-picker-option-ollama-llama3.2'));
  expect(popup.contains(document.activeElement)).toBe(true);
  await act(async () => {
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
  });
  expect(screen.queryByTestId('model-picker-popup')).toBeNull();
  expect(document.activeElement).toBe(picker());
  expect(picker().textContent).toContain('Ollama · llama3.2');
  expect(store.getState().pickedModel).toEqual({ provider: 'ollama', model: 'llama3.2' });
});

test("the simulated provider's scenarios are offered even when it cannot list them", async () => {
  const { client } = await renderWithOllama();
  delete client.models['simulated'];
  await openPicker();
  const group = screen.getByTestId('model-picker-group-simulated');
  expect(
    within(group)
      .getAllByRole('option')
      .map((o) => o.textContent),
  ).toEqual([...SIM_SCENARIOS]);
  expect(screen.queryByTestId('model-picker-error-simulated')).toBeNull();
});
