// @vitest-environment happy-dom
// Tokens and cost on screen: an answer's usage line (each count defined by its tooltip, the cost
// with its table's date, or why there is none), the conversation's totals and its context gauge,
// and the window's own numbers sent to be stored with the answer and shown again on reopen.
import { screen, within } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import type { PriceEntry } from '../../src/shared/cost';
import type { AssistantMessage, Conversation, Usage } from '../../src/shared/protocol';
import RELEASE from '../fixtures/conversations/release-02df268.json';
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

const base = storedConversation();
const template = base.messages[1] as AssistantMessage;

function answer(
  id: string,
  model: string,
  usage: Usage,
  over: Partial<AssistantMessage> = {},
): AssistantMessage {
  const step = template.steps[0]!;
  return {
    ...template,
    id,
    turnId: `t-${id}`,
    provider: 'anthropic',
    model,
    steps: [{ ...step, message: { ...step.message, model, usage } }],
    ...over,
  };
}

function conversation(answers: AssistantMessage[], over: Partial<Conversation> = {}): Conversation {
  return {
    ...base,
    messages: answers.flatMap((a, i) => [
      { id: `u${i}`, role: 'user' as const, text: `q${i}`, createdAt: 1 },
      a,
    ]),
    ...over,
  };
}

async function open(c: Conversation, settings = {}) {
  const env = await renderApp({ conversations: [c], settings });
  await act(() => env.store.getState().openConversation(c.id));
  return env;
}

const answers = () => screen.getAllByTestId('message').filter((m) => m.dataset['role'] === 'assistant');

test('an answer shows its input, output and cache tokens, each defined, and its cost with the table date', async () => {
  const opus = answer('a1', 'claude-opus-4-5', {
    input_tokens: 1200,
    output_tokens: 340,
    cache_read_input_tokens: 5000,
    cache_creation_input_tokens: 800,
  });
  await open(conversation([opus]));
  const line = within(answers()[0]!).getByTestId('usage-line');
  expect(line.dataset).toMatchObject({ input: '1200', output: '340', cacheRead: '5000', cacheWrite: '800' });
  expect(line.textContent).toContain('input 1,200');
  expect(line.textContent).toContain('output 340');
  expect(line.textContent).toContain('cache read 5,000');
  expect(line.textContent).toContain('cache write 800');
  // Opus 4.5: $5 in, $25 out, $0.50 cache reads, $6.25 five-minute cache writes per million.
  const usd = (1200 * 5 + 340 * 25 + 5000 * 0.5 + 800 * 6.25) / 1e6;
  expect(Number(line.dataset['costUsd'])).toBeCloseTo(usd, 12);
  const cost = within(line).getByTestId('cost');
  expect(cost.textContent).toBe(`$${usd.toFixed(4)} · prices as of 2026-12-01`);
  expect(cost.title).toContain('Source: https://platform.claude.com/docs/en/about-claude/pricing');
  const titleOf = (label: string) =>
    [...line.querySelectorAll<HTMLElement>('.metric')].find((m) => m.textContent.startsWith(label))?.title;
  expect(titleOf('input')).toMatch(/^Input tokens: what was sent to the model and not read from its cache/);
  expect(titleOf('cache read')).toMatch(/^Cache-read tokens:/);
  expect(titleOf('cache write')).toMatch(/^Cache-write tokens:/);
  // The old "N tokens" part gives way to the usage line.
  expect(within(answers()[0]!).getByTestId('metrics-footer').textContent).not.toMatch(/\d tokens/);
});

test('an answer from a model with no known price says so and where to add one, with no number', async () => {
  const odd = answer('a1', 'claude-nonesuch-1', { input_tokens: 10, output_tokens: 20 });
  await open(conversation([odd]));
  const line = within(answers()[0]!).getByTestId('usage-line');
  expect(line.dataset['cost']).toBe('unknown');
  expect(line.dataset['costUsd']).toBeUndefined();
  expect(within(line).getByTestId('cost').textContent).toBe(
    'No price is known for claude-nonesuch-1. Add an entry to prices.json in the data directory (README: Tokens and cost).',
  );
  expect(line.textContent).not.toContain('$');
});

test('the person’s own prices (carried by the settings) price the answer', async () => {
  const own: PriceEntry = {
    provider: 'anthropic',
    model: 'claude-nonesuch-1',
    input: 1,
    output: 2,
    asOf: '2026-11-01',
    source: 'my table',
  };
  const odd = answer('a1', 'claude-nonesuch-1', { input_tokens: 1_000_000, output_tokens: 1_000_000 });
  await open(conversation([odd]), { prices: { entries: [own], file: '/data/prices.json', problem: null } });
  expect(within(answers()[0]!).getByTestId('cost').textContent).toBe('$3.00 · prices as of 2026-11-01');
});

test('the conversation totals add up every answer, with the oldest date, and count the unpriced ones', async () => {
  const c = conversation([
    answer('a1', 'claude-opus-4-5', { input_tokens: 1000, output_tokens: 200 }),
    answer('a2', 'claude-opus-4-5', { input_tokens: 3000, output_tokens: 410, cache_read_input_tokens: 500 }),
    answer('a3', 'claude-nonesuch-1', { input_tokens: 10, output_tokens: 20 }),
  ]);
  await open(c);
  const totals = screen.getByTestId('conversation-totals');
  const usd = (4000 * 5 + 610 * 25 + 500 * 0.5) / 1e6;
  expect(totals.textContent).toBe(`4,510 in · 630 out · $${usd.toFixed(4)} · prices as of 2026-12-01`);
  expect(totals.title).toMatch(/^This conversation so far/);
  const unpriced = screen.getByTestId('totals-unpriced');
  expect(unpriced.textContent).toBe('1 answer has no known price');
  expect(unpriced.title).toContain('No price is known for claude-nonesuch-1');
});

test('the context gauge: the last answer’s context against the next model’s window, or says the window is unknown', async () => {
  const c = conversation(
    [
      answer('a1', 'claude-sonnet-5-5', { input_tokens: 1000, output_tokens: 10 }),
      answer('a2', 'claude-sonnet-5-5', {
        input_tokens: 200_000,
        cache_read_input_tokens: 40_000,
        output_tokens: 10_000,
      }),
    ],
    { model: { provider: 'anthropic', model: 'claude-sonnet-5-5' } },
  );
  await open(c);
  const gauge = screen.getByTestId('context-gauge');
  expect(gauge.dataset['known']).toBe('true');
  expect(gauge.textContent).toBe('context 250,000 of 1,000,000 tokens (25%)');
  const meter = within(gauge).getByRole('meter');
  expect(meter.getAttribute('aria-valuenow')).toBe('250000');
  expect(meter.getAttribute('aria-valuemax')).toBe('1000000');
  expect(gauge.title).toMatch(/^Context window for the next turn/);
  cleanup();

  // The next turn on a model whose window the table does not know.
  await open({ ...c, model: { provider: 'anthropic', model: 'claude-opus-4-8' } });
  const unknown = screen.getByTestId('context-gauge');
  expect(unknown.dataset['known']).toBe('false');
  expect(unknown.textContent).toBe('context 250,000 tokens · window size not known for claude-opus-4-8');
  expect(within(unknown).queryByRole('meter')).toBeNull();
});

test('a conversation with no counted tokens shows no totals', async () => {
  await open(conversation([answer('a1', 'claude-opus-4-5', {})]));
  expect(screen.queryByTestId('conversation-usage')).toBeNull();
  expect(within(answers()[0]!).queryByTestId('usage-line')).toBeNull();
});

test('a file written by the previous release shows its tokens, summed from its steps', async () => {
  const c = RELEASE as unknown as Conversation;
  await open(c);
  const [tool, continued] = answers();
  // The tool loop: two requests of 5 + 17 input and 37 + 23 output tokens.
  expect(within(tool!).getByTestId('usage-line').dataset).toMatchObject({ input: '22', output: '60' });
  expect(within(continued!).getByTestId('usage-line').dataset).toMatchObject({ input: '117', output: '322' });
  expect(within(tool!).getByTestId('cost').textContent).toBe('$0.00 · simulated provider, no charge');
});

test('the window’s numbers are sent to be stored with the answer, and a reopened answer shows them', async () => {
  const env = await renderApp();
  const turn = await sendMessage(env.store, env.client, 'question');
  env.clock.t += 100;
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  turn.emit(provider(textDelta(0, 'An answer')));
  act(() => env.frames.flush());
  env.clock.t += 50;
  turn.emit(provider(blockStop(0)));
  turn.emit(
    provider({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }),
  );
  turn.emit(provider({ type: 'message_stop' }));
  await act(async () => void turn.end('complete'));
  await settle();

  expect(env.client.calls.recordWindowMetrics).toHaveLength(1);
  const sent = env.client.calls.recordWindowMetrics[0]!;
  expect(sent).toMatchObject({ id: turn.conversation.id, turnId: turn.turnId });
  expect(sent.metrics.ttftMs).toBe(100);
  expect(sent.metrics.totalMs).toBe(150);
  cleanup();

  // A new window on the same main process: the stored answer brings the window's numbers back.
  const stored = await env.client.getConversation(turn.conversation.id);
  const again = await renderApp({ conversations: [stored] });
  await act(() => again.store.getState().openConversation(stored.id));
  const footer = within(answers()[0]!).getByTestId('metrics-footer');
  expect(footer.dataset['hereTtftMs']).toBe('100');
  expect(footer.textContent).toContain('(in the window 100 ms)');
  expect(within(footer).getByTestId('usage-line').dataset).toMatchObject({ input: '5', output: '2' });
});
