// The Chat Completions → shared wire translation, chunk by chunk, reduced by the one reducer.
import { describe, expect, test } from 'vitest';
import {
  accumulate,
  countToolInputParses,
  createMessage,
  finalizeMessage,
  textOf,
} from '../../../src/shared/accumulate';
import type { AccMessage, StreamEvent } from '../../../src/shared/protocol';
import {
  ChunkTranslator,
  ThinkTagScanner,
  stopReasonOf,
  usageOf,
  type TranslatorOptions,
} from '../../../src/main/providers/openai-chunks';
import { createPrng, randomChunks } from '../../support/sse';

type Delta = Record<string, unknown>;
const chunk = (delta: Delta, finish: string | null = null, extra: object = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  model: 'm-1',
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const usageChunk = (choices: unknown, usage: object) => ({ id: 'chatcmpl-1', model: 'm-1', choices, usage });

function translate(
  chunks: unknown[],
  options: TranslatorOptions = {},
): { events: StreamEvent[]; message: AccMessage } {
  const t = new ChunkTranslator(options);
  const events = [...chunks.flatMap((c) => t.push(c)), ...t.end()];
  return { events, message: finalizeMessage(events.reduce(accumulate, createMessage())) };
}
const thinkingOf = (m: AccMessage) =>
  m.blocks.map((b) => (b?.type === 'thinking' ? b.thinking : '')).join('');
const kinds = (m: AccMessage) => m.blocks.map((b) => b?.type);

describe('message frame', () => {
  test('message_start at the first chunk (id, model, zero usage); message_delta and message_stop at the end', () => {
    const { events, message } = translate([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hi' }),
      chunk({}, 'stop'),
    ]);
    expect(events[0]).toEqual({
      type: 'message_start',
      message: expect.objectContaining({
        id: 'chatcmpl-1',
        model: 'm-1',
        usage: { input_tokens: 0, output_tokens: 0 },
      }),
    });
    expect(events.slice(-2)).toEqual([
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null } },
      { type: 'message_stop' },
    ]);
    expect(message).toMatchObject({ id: 'chatcmpl-1', model: 'm-1', finished: true, stopReason: 'end_turn' });
    expect(textOf(message)).toBe('Hi');
  });

  test('the message_delta waits for the usage chunk that follows the finish_reason', () => {
    const { events, message } = translate([
      chunk({ content: 'x' }),
      chunk({}, 'stop'),
      usageChunk([], { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 }),
    ]);
    expect(events.filter((e) => e.type === 'message_delta')).toHaveLength(1);
    expect(message.usage).toEqual({ input_tokens: 5, output_tokens: 2 });
  });

  test('EOF without a finish_reason: no message_delta, no message_stop (the relay reports the cut)', () => {
    const { events, message } = translate([chunk({ content: 'cut ' }), chunk({ content: 'here' })]);
    expect(events.map((e) => e.type)).not.toContain('message_stop');
    expect(events.map((e) => e.type)).not.toContain('message_delta');
    expect(message.finished).toBe(false);
    expect(textOf(message)).toBe('cut here');
  });

  test('no chunk at all: no event', () => {
    expect(translate([]).events).toEqual([]);
  });

  test('chunks after the finish_reason add no content', () => {
    const { message } = translate([chunk({ content: 'a' }), chunk({}, 'stop'), chunk({ content: 'late' })]);
    expect(textOf(message)).toBe('a');
  });
});

describe('finish_reason → stop reason', () => {
  test.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
    ['eos_token', 'eos_token'],
    ['error', 'error'],
  ])('%s → %s', (finish, reason) => {
    expect(stopReasonOf(finish)).toBe(reason);
    expect(translate([chunk({ content: 'x' }, finish)]).message.stopReason).toBe(reason);
  });
});

describe('usage', () => {
  test('prompt, completion, cached and reasoning tokens', () => {
    expect(
      usageOf({
        prompt_tokens: 100,
        completion_tokens: 40,
        total_tokens: 140,
        prompt_tokens_details: { cached_tokens: 64 },
        completion_tokens_details: { reasoning_tokens: 12 },
      }),
    ).toEqual({ input_tokens: 36, output_tokens: 40, cache_read_input_tokens: 64, reasoning_tokens: 12 });
    expect(usageOf(null)).toBeNull();
    expect(usageOf({ prompt_tokens: 1, prompt_tokens_details: null })).toEqual({ input_tokens: 1 });
  });

  test.each([
    ['choices: []', []],
    ['choices: null (vLLM)', null],
  ])('the usage chunk with %s', (_name, choices) => {
    const { message } = translate([
      chunk({ content: 'ok' }),
      chunk({}, 'stop'),
      usageChunk(choices, { prompt_tokens: 3, completion_tokens: 1 }),
    ]);
    expect(message.usage).toEqual({ input_tokens: 3, output_tokens: 1 });
    expect(message.finished).toBe(true);
  });

  test('usage on the finish chunk itself counts too', () => {
    const { message } = translate([
      chunk({ content: 'ok' }, 'stop', { usage: { prompt_tokens: 2, completion_tokens: 1 } }),
    ]);
    expect(message.usage).toEqual({ input_tokens: 2, output_tokens: 1 });
  });
});

describe('text and refusal', () => {
  test('delta.content → one text block, stopped at the finish', () => {
    const { events, message } = translate([
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop'),
    ]);
    expect(kinds(message)).toEqual(['text']);
    expect(message.stoppedBlocks).toEqual([0]);
    expect(events.filter((e) => e.type === 'content_block_start')).toHaveLength(1);
  });

  test('delta.refusal → text, with stop reason refusal', () => {
    const { message } = translate([
      chunk({ role: 'assistant', content: null, refusal: '' }),
      chunk({ refusal: "I can't " }),
      chunk({ refusal: 'help.' }),
      chunk({}, 'stop'),
    ]);
    expect(textOf(message)).toBe("I can't help.");
    expect(message.stopReason).toBe('refusal');
  });
});

describe('reasoning', () => {
  test('delta.reasoning_content (DeepSeek) → a thinking block without signature, then the text', () => {
    const { message } = translate([
      chunk({ role: 'assistant', content: null, reasoning_content: '' }),
      chunk({ content: null, reasoning_content: 'Think ' }),
      chunk({ content: null, reasoning_content: 'hard.' }),
      chunk({ content: 'Answer.', reasoning_content: null }),
      chunk({}, 'stop'),
    ]);
    expect(kinds(message)).toEqual(['thinking', 'text']);
    expect(message.blocks[0]).toEqual({ type: 'thinking', thinking: 'Think hard.', signature: '' });
    expect(textOf(message)).toBe('Answer.');
    expect(message.stoppedBlocks).toEqual([0, 1]);
  });

  test('delta.reasoning (OpenRouter, Ollama) → a thinking block', () => {
    const { message } = translate([
      chunk({ reasoning: 'Hmm.' }),
      chunk({ content: 'Yes.' }),
      chunk({}, 'stop'),
    ]);
    expect(thinkingOf(message)).toBe('Hmm.');
    expect(textOf(message)).toBe('Yes.');
  });

  test('both fields with the same text in one delta (vLLM sends both): counted once', () => {
    const { message } = translate([
      chunk({ reasoning: 'once', reasoning_content: 'once' }),
      chunk({}, 'stop'),
    ]);
    expect(thinkingOf(message)).toBe('once');
  });

  test('<think>…</think> in content → thinking, then the answer without a tag', () => {
    const { message } = translate([
      chunk({ content: '<think>\nplan\n</think>\n\nThe answer.' }),
      chunk({}, 'stop'),
    ]);
    expect(kinds(message)).toEqual(['thinking', 'text']);
    expect(thinkingOf(message)).toBe('plan\n');
    expect(textOf(message)).toBe('The answer.');
  });
});

describe('the <think> tag scanner', () => {
  const body =
    '<think>\nIs 1 < 2? </thin is not a tag.\n</think>\n\nYes: 1 < 2 and <b>bold</b>; <thinking> stays? <';
  const whole = (pieces: [string, string][]) => {
    const merged: [string, string][] = [];
    for (const [mode, text] of pieces) {
      const last = merged.at(-1);
      if (last && last[0] === mode) last[1] += text;
      else merged.push([mode, text]);
    }
    return merged;
  };
  const scan = (parts: string[]) => {
    const s = new ThinkTagScanner();
    return whole([...parts.flatMap((p) => s.feed(p)), ...s.flush()]);
  };
  const expected = scan([body]);

  test('one piece', () => {
    expect(expected).toEqual([
      ['thinking', 'Is 1 < 2? </thin is not a tag.\n'],
      ['text', 'Yes: 1 < 2 and <b>bold</b>; <thinking> stays? <'],
    ]);
  });

  test('split in two at every position: the same pieces', () => {
    for (let i = 1; i < body.length; i++)
      expect(scan([body.slice(0, i), body.slice(i)]), `split at ${i}`).toEqual(expected);
  });

  test('one character at a time, and 200 random splits: the same pieces', () => {
    expect(scan([...body])).toEqual(expected);
    const random = createPrng(42);
    for (let i = 0; i < 200; i++)
      expect(scan(randomChunks(body, random, { maxChunk: 1 + (i % 12) }))).toEqual(expected);
  });

  test('a held "<" that is not a tag goes out with what follows it', () => {
    const s = new ThinkTagScanner();
    expect(s.feed('a <')).toEqual([['text', 'a ']]);
    expect(s.feed('3')).toEqual([['text', '<3']]);
  });

  test('an unfinished tag at the end of the stream is only text', () => {
    const s = new ThinkTagScanner();
    expect(s.feed('x <thi')).toEqual([['text', 'x ']]);
    expect(s.flush()).toEqual([['text', '<thi']]);
  });
});

describe('tool calls', () => {
  const call = (index: number, fields: { id?: string; name?: string; args?: string }) => ({
    index,
    ...(fields.id === undefined ? {} : { id: fields.id, type: 'function' }),
    function: {
      ...(fields.name === undefined ? {} : { name: fields.name }),
      ...(fields.args === undefined ? {} : { arguments: fields.args }),
    },
  });

  test('fragments by index → tool_use blocks; parsed once each, at the finish', () => {
    const { events, message } = translate([
      chunk({
        role: 'assistant',
        content: null,
        tool_calls: [call(0, { id: 'call_a', name: 'calculator', args: '' })],
      }),
      chunk({ tool_calls: [call(0, { args: '{"expression":' })] }),
      chunk({ tool_calls: [call(0, { args: '"1+1"}' })] }),
      chunk({ tool_calls: [call(1, { id: 'call_b', name: 'current_time', args: '{"timezone"' })] }),
      chunk({ tool_calls: [call(1, { args: ':"UTC"}' })] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(message.stopReason).toBe('tool_use');
    expect(message.blocks).toEqual([
      expect.objectContaining({
        id: 'call_a',
        name: 'calculator',
        input: { status: 'parsed', value: { expression: '1+1' } },
        parseAttempts: 1,
      }),
      expect.objectContaining({
        id: 'call_b',
        name: 'current_time',
        input: { status: 'parsed', value: { timezone: 'UTC' } },
        parseAttempts: 1,
      }),
    ]);
    expect(countToolInputParses(message)).toBe(2);
    // Both blocks stop together, at the finish_reason chunk.
    const firstStop = events.findIndex((e) => e.type === 'content_block_stop');
    expect(events.slice(firstStop, firstStop + 2)).toEqual([
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_stop', index: 1 },
    ]);
  });

  test('text before the calls is its own block, stopped when the calls begin', () => {
    const { message } = translate([
      chunk({ content: 'Let me check.' }),
      chunk({ tool_calls: [call(0, { id: 'c1', name: 'calculator', args: '{"expression":"2"}' })] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(kinds(message)).toEqual(['text', 'tool_use']);
    expect(message.stoppedBlocks).toEqual([0, 1]);
  });

  test('arguments "" (and none at all) are {}', () => {
    const { message } = translate([
      chunk({ tool_calls: [call(0, { id: 'c1', name: 'current_time', args: '' })] }),
      chunk({ tool_calls: [call(1, { id: 'c2', name: 'current_time' })] }),
      chunk({}, 'tool_calls'),
    ]);
    for (const b of message.blocks)
      expect(b).toMatchObject({ type: 'tool_use', input: { status: 'parsed', value: {} } });
  });

  test('arguments sent as an object are written out once', () => {
    const { message } = translate([
      chunk({
        tool_calls: [
          { index: 0, id: 'c1', function: { name: 'calculator', arguments: { expression: '3' } } },
        ],
      }),
      chunk({}, 'tool_calls'),
    ]);
    expect(message.blocks[0]).toMatchObject({ input: { status: 'parsed', value: { expression: '3' } } });
  });

  test('a cut before the finish leaves the call incomplete, never parsed', () => {
    const { message } = translate([
      chunk({ tool_calls: [call(0, { id: 'c1', name: 'calculator', args: '{"expr' })] }),
    ]);
    expect(message.blocks[0]).toMatchObject({
      input: { status: 'failed', error: { type: 'incomplete' } },
      parseAttempts: 0,
    });
  });

  test('Ollama ids: missing, empty, repeated in the stream, or already in the history get a fresh id', () => {
    let n = 0;
    const { message } = translate(
      [
        chunk({
          tool_calls: [
            call(0, { id: 'call_0', name: 'current_time', args: '{}' }),
            call(1, { id: 'call_0', name: 'current_time', args: '{}' }),
            call(2, { id: '', name: 'current_time', args: '{}' }),
            call(3, { name: 'current_time', args: '{}' }),
            call(4, { id: 'call_old', name: 'current_time', args: '{}' }),
            call(5, { id: 'call_new', name: 'current_time', args: '{}' }),
          ],
        }),
        chunk({}, 'tool_calls'),
      ],
      { reservedIds: new Set(['call_old']), newId: () => `fresh_${++n}` },
    );
    expect(message.blocks.map((b) => (b?.type === 'tool_use' ? b.id : null))).toEqual([
      'call_0',
      'fresh_1',
      'fresh_2',
      'fresh_3',
      'fresh_4',
      'call_new',
    ]);
  });

  test('the default fresh id is call_ + random hex, unique', () => {
    const { message } = translate([
      chunk({
        tool_calls: [
          call(0, { id: 'call_0', name: 'a', args: '{}' }),
          call(1, { id: 'call_0', name: 'b', args: '{}' }),
        ],
      }),
      chunk({}, 'tool_calls'),
    ]);
    const second = message.blocks[1];
    expect(second?.type === 'tool_use' && second.id).toMatch(/^call_[0-9a-f]{24}$/);
  });

  test('a server that numbers every call 0 still gets two calls (each brings its own id and name)', () => {
    const { message } = translate([
      chunk({ tool_calls: [call(0, { id: 'c1', name: 'calculator', args: '{"expression":"1"}' })] }),
      chunk({ tool_calls: [call(0, { id: 'c2', name: 'calculator', args: '{"expression":"2"}' })] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(message.blocks.map((b) => (b?.type === 'tool_use' ? b.input : null))).toEqual([
      { status: 'parsed', value: { expression: '1' } },
      { status: 'parsed', value: { expression: '2' } },
    ]);
  });

  test('the deprecated function_call is one tool call', () => {
    const { message } = translate([
      chunk({ function_call: { name: 'calculator', arguments: '{"expression":' } }),
      chunk({ function_call: { arguments: '"4"}' } }),
      chunk({}, 'function_call'),
    ]);
    expect(message.stopReason).toBe('tool_use');
    expect(message.blocks[0]).toMatchObject({
      name: 'calculator',
      input: { status: 'parsed', value: { expression: '4' } },
    });
  });
});
