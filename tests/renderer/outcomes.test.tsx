// @vitest-environment happy-dom
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import {
  act,
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

async function partialAnswer(text: string) {
  const env = await renderApp();
  const turn = await sendMessage(env.store, env.client, 'question');
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  turn.emit(provider(textDelta(0, text)));
  act(() => env.frames.flush());
  return { ...env, turn };
}

const lastAnswer = () => screen.getAllByTestId('message').at(-1)!;

test('an error keeps the partial text beside a human message, and Retry answers the question again', async () => {
  const { client, turn } = await partialAnswer('The first half of an answer');
  const message =
    'The provider is overloaded right now. What arrived so far is kept. This usually passes within a minute.';
  await act(async () => void turn.end('error', { type: 'overloaded', message, retryable: true }));
  await settle();

  const answer = lastAnswer();
  expect(answer.dataset['outcome']).toBe('error');
  expect(within(answer).getByTestId('assistant-text').textContent).toBe('The first half of an answer');
  expect(within(answer).getByTestId('error-notice').textContent).toContain(message);

  const failed = (await client.getConversation(turn.conversation.id)).messages.at(-1)?.id;
  fireEvent.click(within(answer).getByTestId('retry'));
  await settle();
  expect(client.turns).toHaveLength(2);
  // Retry asks for a new version of the failed answer (the main process keeps the failed one beside it).
  expect(client.lastTurn?.request).toEqual({
    action: 'regenerate',
    conversationId: turn.conversation.id,
    messageId: failed,
  });
  // The failed answer makes way for the new one; the question stays.
  expect(screen.getAllByTestId('message').map((m) => m.dataset['role'])).toEqual(['user', 'assistant']);
  expect(lastAnswer().dataset['outcome']).toBe('streaming');
});

test('a stalled stream says how long it was silent and offers Retry', async () => {
  const { turn } = await partialAnswer('Once');
  await act(
    async () =>
      void turn.end('stalled', {
        type: 'stalled',
        message: 'The stream stalled: no data arrived within the idle timeout. (no data for 12 s)',
        retryable: true,
      }),
  );
  await settle();
  const notice = within(lastAnswer()).getByTestId('error-notice');
  expect(notice.textContent).toContain('The stream stalled: no data for 12 s. Retry?');
  expect(within(lastAnswer()).getByTestId('retry')).toBeTruthy();
  expect(within(lastAnswer()).getByTestId('assistant-text').textContent).toBe('Once');
});

test('a stall before any of the answer arrived says what the error says (the address), not "the stream stalled"', async () => {
  const env = await renderApp();
  const turn = await sendMessage(env.store, env.client, 'question');
  const message =
    'http://127.0.0.1:4000 (from ANTHROPIC_BASE_URL) accepted the connection but sent no response within the idle timeout. It may be overloaded or stuck; the idle timeout can be raised. (no data for 30 s)';
  await act(async () => void turn.end('stalled', { type: 'stalled', message, retryable: true }));
  await settle();
  const notice = within(lastAnswer()).getByTestId('error-notice');
  expect(notice.textContent).toContain(message);
  expect(notice.textContent).not.toMatch(/stream stalled|kept/);
  expect(within(notice).getByTestId('retry')).toBeTruthy();
});

test('max_tokens offers Continue; refusal says the model declined', async () => {
  const { client, turn } = await partialAnswer('Cut he');
  turn.emit(
    provider({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 3 } }),
  );
  turn.emit(provider({ type: 'message_stop' }));
  await act(async () => void turn.end('complete'));
  await settle();
  expect(within(lastAnswer()).getByTestId('max-tokens-notice').textContent).toContain(
    'Cut off at the max tokens limit',
  );
  fireEvent.click(within(lastAnswer()).getByTestId('continue'));
  await settle();
  expect(client.lastTurn?.request).toEqual({ action: 'continue', conversationId: turn.conversation.id });

  const next = client.lastTurn!;
  next.emit(provider(messageStart('msg_2')));
  next.emit(
    provider({ type: 'message_delta', delta: { stop_reason: 'refusal' }, usage: { output_tokens: 1 } }),
  );
  await act(async () => void next.end('complete'));
  await settle();
  expect(within(lastAnswer()).getByTestId('refusal-notice').textContent).toBe(
    'The model declined to answer.',
  );
});

test('the metrics footer carries the main process numbers and the window’s own', async () => {
  const { store, client, frames, clock } = await renderApp();
  const turn = await sendMessage(store, client, 'question');
  clock.t += 300;
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  turn.emit(provider(textDelta(0, 'Hi')));
  act(() => frames.flush());
  clock.t += 500;
  turn.emit(provider(textDelta(0, ' there')));
  act(() => frames.flush());
  await act(async () => void turn.end('complete'));
  await settle();

  const footer = within(lastAnswer()).getByTestId('metrics-footer');
  // The fake main process and the window share the test clock: sent at 0, first text at 300, end at 800.
  expect(footer.dataset['ttftMs']).toBe('300');
  expect(footer.dataset['firstProgressMs']).toBe('300');
  expect(footer.dataset['totalMs']).toBe('800');
  expect(footer.dataset['hereTtftMs']).toBe('300');
  expect(footer.dataset['hereTotalMs']).toBe('800');
  expect(footer.textContent).toContain('first token 300 ms (in the window 300 ms)');
  expect(footer.textContent).toContain('first sign of life 300 ms');
  expect(footer.textContent).toContain('complete');
});

async function answerWithTiming(silenceMs: number, spacingMs: number) {
  const { store, client, frames, clock } = await renderApp();
  const turn = await sendMessage(store, client, 'question');
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  clock.t += silenceMs;
  for (let i = 0; i < 25; i++) {
    clock.t += spacingMs;
    turn.emit(provider(textDelta(0, `t${i} `)));
  }
  act(() => frames.flush());
  clock.t += 5;
  await act(async () => void turn.end('complete'));
  await settle();
}

test('an answer that arrives in one late burst is flagged as buffered, and opens the runbook at the triage', async () => {
  await answerWithTiming(10_000, 0);
  const warning = within(lastAnswer()).getByTestId('buffering-warning');
  expect(warning.textContent).toContain('arrived in one late burst');
  await act(async () => within(warning).getByTestId('buffering-why').click());
  const runbook = await screen.findByTestId('runbook-panel');
  expect(runbook.querySelector('#runbook-works-on-localhost-batches-in-prod')?.textContent).toBe(
    'Works on localhost, batches in prod',
  );
});

test('an answer streamed as it was produced is not flagged', async () => {
  await answerWithTiming(300, 40);
  expect(within(lastAnswer()).queryByTestId('buffering-warning')).toBeNull();
});

test('a stored answer shows only the main process numbers', async () => {
  const conversation = storedConversation();
  const { store } = await renderApp({ conversations: [conversation] });
  await act(() => store.getState().openConversation(conversation.id));
  const footer = within(lastAnswer()).getByTestId('metrics-footer');
  expect(footer.dataset['ttftMs']).toBe('400');
  expect(footer.dataset['hereTtftMs']).toBeUndefined();
  expect(footer.textContent).not.toContain('in the window');
  expect(footer.textContent).not.toContain('—');
  expect(footer.textContent).toContain('per token 25 ms');
});

test('the metrics line is in plain words, each measure with a tooltip that defines it', async () => {
  const conversation = storedConversation();
  const { store } = await renderApp({ conversations: [conversation] });
  await act(() => store.getState().openConversation(conversation.id));
  const footer = within(lastAnswer()).getByTestId('metrics-footer');
  expect(footer.textContent).not.toMatch(/TTFT|TPOT|\(here|first progress|end_turn/);
  expect(footer.dataset['stopReason']).toBe('end_turn');
  expect(within(footer).getByTestId('stop-reason').textContent).toBe('finished');
  const titleOf = (label: string) =>
    [...footer.querySelectorAll<HTMLElement>('.metric')].find((m) => m.textContent.startsWith(label))
      ?.title ?? '';
  expect(titleOf('first token')).toMatch(/^Time to first token \(TTFT\): from sending the request/);
  expect(titleOf('first sign of life')).toMatch(/^Time to first progress: .*first thinking or text/);
  expect(titleOf('per token')).toMatch(/^Time per output token \(TPOT\)/);
});

test('stop reasons read as words: the token limit, a tool, a refusal', async () => {
  const words: [string, string][] = [
    ['max_tokens', 'hit the token limit'],
    ['tool_use', 'stopped for a tool'],
    ['refusal', 'refused'],
  ];
  for (const [reason, word] of words) {
    const { turn } = await partialAnswer('Some text');
    turn.emit(
      provider({ type: 'message_delta', delta: { stop_reason: reason }, usage: { output_tokens: 2 } }),
    );
    turn.emit(provider({ type: 'message_stop' }));
    await act(async () => void turn.end('complete'));
    await settle();
    expect(within(lastAnswer()).getByTestId('stop-reason').textContent).toBe(word);
    cleanup();
  }
});

async function failedBeforeText() {
  const env = await renderApp();
  const turn = await sendMessage(env.store, env.client, 'question');
  turn.emit(provider(messageStart()));
  act(() => env.frames.flush());
  // The main process's sentence when nothing had arrived: no "kept" clause.
  const message = 'The provider is overloaded right now. This usually passes within a minute.';
  await act(async () => void turn.end('error', { type: 'overloaded', message, retryable: true }));
  await settle();
  return { ...env, message };
}

test('an error before any text: the notice says what happened without "kept", Retry only, no Copy', async () => {
  const { message } = await failedBeforeText();
  const answer = lastAnswer();
  const notice = within(answer).getByTestId('error-notice');
  expect(notice.textContent).toContain(message);
  expect(answer.textContent).not.toContain('kept');
  expect(within(answer).getByTestId('retry')).toBeTruthy();
  expect(within(answer).queryByTestId('regenerate')).toBeNull();
  expect(within(answer).queryByTestId('copy-message')).toBeNull();
});

test('an answer whose text blocks are all empty offers no Copy', async () => {
  const { turn } = await partialAnswer('');
  await act(
    async () =>
      void turn.end('error', {
        type: 'api',
        message: 'The provider had an internal error.',
        retryable: true,
      }),
  );
  await settle();
  expect(within(lastAnswer()).queryByTestId('copy-message')).toBeNull();
  expect(within(lastAnswer()).getByTestId('retry')).toBeTruthy();
});

test('Retry and Regenerate are never both: a failed answer has Retry, a complete one Regenerate and Copy', async () => {
  const { turn } = await partialAnswer('The first half');
  await act(
    async () =>
      void turn.end('error', {
        type: 'overloaded',
        message: 'The provider is overloaded right now. What arrived so far is kept.',
        retryable: true,
      }),
  );
  await settle();
  let answer = lastAnswer();
  expect(within(answer).getByTestId('retry')).toBeTruthy();
  expect(within(answer).queryByTestId('regenerate')).toBeNull();
  expect(within(answer).getByTestId('copy-message')).toBeTruthy();
  cleanup();

  const done = await partialAnswer('A whole answer');
  await act(async () => void done.turn.end('complete'));
  await settle();
  answer = lastAnswer();
  expect(within(answer).getByTestId('regenerate')).toBeTruthy();
  expect(within(answer).getByTestId('copy-message')).toBeTruthy();
  expect(within(answer).queryByTestId('retry')).toBeNull();
});

test('a stopped answer offers Retry, not Regenerate', async () => {
  const { turn } = await partialAnswer('Half');
  await act(async () => void turn.end('aborted'));
  await settle();
  const answer = lastAnswer();
  expect(within(answer).getByTestId('stopped-notice').textContent).toBe('Stopped');
  expect(within(answer).getByTestId('retry')).toBeTruthy();
  expect(within(answer).queryByTestId('regenerate')).toBeNull();
});
