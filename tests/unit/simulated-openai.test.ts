// The pieces behind the Chat Completions wire that the SDK cannot see from outside: where a
// prefill's continuation starts, and chunks for event sequences no scenario sends today.
import { describe, expect, test } from 'vitest';
import { ChatChunks } from '../../src/main/providers/simulated/openai';
import { openaiError } from '../../src/main/providers/simulated/openai-errors';
import { continuation } from '../../src/main/providers/simulated/text';
import type { SseEvent } from '../../src/main/providers/simulated/types';

describe('continuation', () => {
  const tokens = ['# Locks', ' and', ' weirs', '\n\nA', ' lock'];
  const rest = (prefill: string) => {
    const it = continuation(prefill, tokens);
    return it === null ? null : [...it];
  };

  test('a prefill ending between tokens: the tokens after it', () => {
    expect(rest('# Locks and')).toEqual([' weirs', '\n\nA', ' lock']);
  });

  test('a prefill ending inside a token: that token’s tail first', () => {
    expect(rest('# Locks and we')).toEqual(['irs', '\n\nA', ' lock']);
  });

  test('the whole answer: nothing left', () => {
    expect(rest(tokens.join(''))).toEqual([]);
  });

  test('not how the tokens begin, or longer than all of them: null', () => {
    expect(rest('# Locks or')).toBeNull();
    expect(rest(`${tokens.join('')} more`)).toBeNull();
  });
});

const ev = (type: string, data: Record<string, unknown> = {}): SseEvent => ({
  type,
  data: { type, ...data },
});
const contents = (events: SseEvent[]) =>
  events.map((e) => {
    const choices = (e.data as { choices?: { delta: { content?: string } }[] }).choices;
    return choices?.[0]?.delta.content;
  });

describe('ChatChunks', () => {
  test('think-tags: a thinking block with no deltas still opens and closes its tag', () => {
    const chunks = new ChatChunks({ dialect: 'think-tags', includeUsage: false, refusal: false });
    chunks.translate(
      ev('message_start', { message: { id: 'msg_1', model: 'm', usage: { input_tokens: 3 } } }),
    );
    const out = [
      ...chunks.translate(ev('content_block_start', { index: 0, content_block: { type: 'thinking' } })),
      ...chunks.translate(ev('content_block_stop', { index: 0 })),
    ];
    expect(contents(out).join('')).toBe('<think>\n</think>\n\n');
    expect(out.every((e) => !e.countsAsToken)).toBe(true);
  });

  test('every chunk carries the id made from the message id, and the model', () => {
    const chunks = new ChatChunks({ dialect: 'openai', includeUsage: false, refusal: false });
    const [first] = chunks.translate(ev('message_start', { message: { id: 'msg_sim_abc', model: 'gpt-x' } }));
    expect(first?.data).toMatchObject({ id: 'chatcmpl-sim_abc', model: 'gpt-x' });
    expect(first?.raw).toBe(`data: ${JSON.stringify(first?.data)}\n\n`);
  });

  test('an unknown stop reason is carried as the finish reason', () => {
    const chunks = new ChatChunks({ dialect: 'openai', includeUsage: false, refusal: false });
    const [finish] = chunks.translate(ev('message_delta', { delta: { stop_reason: 'pause_turn' } }));
    expect(finish?.data).toMatchObject({ choices: [{ finish_reason: 'pause_turn' }] });
  });
});

test('openaiError: Anthropic error types in OpenAI terms, an overload as 503', () => {
  expect(openaiError({ status: 529, errorType: 'overloaded_error', message: 'Overloaded' })).toEqual({
    status: 503,
    body: { error: { message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded' } },
  });
  expect(openaiError({ status: 418, errorType: 'teapot', message: 'x' }).body.error).toMatchObject({
    type: 'teapot',
    code: null,
  });
});
