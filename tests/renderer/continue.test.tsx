// @vitest-environment happy-dom
// Continue after a max_tokens cut: the continuation streams into the answer's own bubble, and the
// stored answer (one message) replaces it at the end.
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import { applyBatch, createLiveTurn, shownSteps } from '../../src/renderer/src/store/live-turn';
import { createMessage } from '../../src/shared/accumulate';
import type { ProviderConfig } from '../../src/shared/protocol';
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

const bubbles = () => screen.getAllByTestId('message').filter((m) => m.dataset['role'] === 'assistant');

async function cutAnswer(options: Parameters<typeof renderApp>[0] = {}) {
  const env = await renderApp(options);
  const turn = await sendMessage(env.store, env.client, 'question');
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  turn.emit(provider(textDelta(0, 'The answer is cut he')));
  turn.emit(provider(blockStop(0)));
  turn.emit(
    provider({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 5 } }),
  );
  turn.emit(provider({ type: 'message_stop' }));
  await act(async () => void turn.end('complete'));
  await settle();
  return { ...env, turn };
}

test('a continue streams into the same bubble and ends as one stored answer', async () => {
  const { client, frames } = await cutAnswer();
  fireEvent.click(within(bubbles()[0]!).getByTestId('continue'));
  await settle();
  const next = client.lastTurn!;
  expect(next.request.action).toBe('continue');
  next.emit(provider(messageStart('msg_2')));
  next.emit(provider(textStart(0)));
  next.emit(provider(textDelta(0, 're, and')));
  act(() => frames.flush());

  // While it streams: one assistant bubble, the continuation joined onto the kept text.
  expect(bubbles()).toHaveLength(1);
  expect(bubbles()[0]!.dataset['outcome']).toBe('streaming');
  expect(within(bubbles()[0]!).getByTestId('assistant-text').textContent).toBe('The answer is cut here, and');

  next.emit(provider(textDelta(0, ' goes on.')));
  next.emit(provider(blockStop(0)));
  next.emit(
    provider({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } }),
  );
  next.emit(provider({ type: 'message_stop' }));
  act(() => frames.flush());
  expect(bubbles()).toHaveLength(1);
  await act(async () => void next.end('complete'));
  await settle();

  expect(bubbles()).toHaveLength(1);
  const answer = bubbles()[0]!;
  expect(answer.dataset['outcome']).toBe('complete');
  expect(within(answer).getByTestId('assistant-text').textContent).toBe(
    'The answer is cut here, and goes on.',
  );
  expect(within(answer).queryByTestId('max-tokens-notice')).toBeNull();
  const stored = await client.getConversation(next.conversation.id);
  expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
});

test('where the provider cannot continue a prefill, the button says it asks the model to go on', async () => {
  const openai: ProviderConfig = {
    id: 'openai',
    preset: 'openai',
    name: 'OpenAI',
    baseURL: 'https://api.openai.com/v1',
    model: 'gpt-4.1',
  };
  await cutAnswer({ settings: { providers: [openai], provider: 'openai' } });
  expect(within(bubbles()[0]!).getByTestId('continue').textContent.trim()).toBe(
    'Continue (asks the model to go on)',
  );
});

test('a provider that continues a prefill keeps the plain label', async () => {
  await cutAnswer();
  expect(within(bubbles()[0]!).getByTestId('continue').textContent.trim()).toBe('Continue');
});

test('the joined block streams from deltas: the answer’s text, then the continuation’s, adding up to the block', () => {
  const prior = {
    id: 'a1',
    role: 'assistant' as const,
    turnId: 't0',
    createdAt: 0,
    steps: [
      {
        message: { ...createMessage(), blocks: [{ type: 'text' as const, text: 'cut he ', citations: [] }] },
        toolResults: [],
      },
    ],
    outcome: 'complete' as const,
    stopReason: 'max_tokens',
    error: null,
    metrics: null,
    provider: 'simulated' as const,
    model: 'sim-text',
  };
  let live = createLiveTurn({
    key: 1,
    request: { action: 'continue', conversationId: 'c1' },
    base: [],
    userText: null,
    continues: { message: prior, mode: 'prefill' },
    startedAt: 0,
  });
  const events = [messageStart(), textStart(0), textDelta(0, 're, and'), textDelta(0, ' on')];
  live = applyBatch(
    live,
    events.map((event, i) => ({ event: { type: 'provider', turnId: 't1', t: i, step: 0, event }, at: i })),
  );
  const shown = shownSteps(live);
  const block = shown.steps[0]?.message.blocks[0];
  expect(block).toMatchObject({ type: 'text', text: 'cut here, and on' });
  expect(shown.textParts.get('0:0')).toEqual(['cut he', 're, and', ' on']);
});
