// The Messages-shaped request (what the relay builds for every wire) as a Chat Completions request.
import { describe, expect, test } from 'vitest';
import type Anthropic from '@anthropic-ai/sdk';
import {
  toChatCompletionRequest,
  toChatMessages,
  toChatTools,
  toolIdsOf,
} from '../../../src/main/providers/openai-messages';
import { toApiMessages } from '../../../src/main/relay/history';
import { builtinTools, toolDefinitions } from '../../../src/main/tools/registry';

type Params = Omit<Anthropic.MessageCreateParamsStreaming, 'stream'>;
const params = (messages: Params['messages'], extra: Partial<Params> = {}): Params => ({
  model: 'm',
  max_tokens: 100,
  messages,
  ...extra,
});

const toolTurn: Params['messages'] = [
  { role: 'user', content: 'What is 2+2, and the time?' },
  {
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'Use the tools.', signature: '' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_a', name: 'calculator', input: { expression: '2+2' } },
      { type: 'tool_use', id: 'call_b', name: 'current_time', input: {} },
    ],
  },
  {
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: 'call_a', content: '4', is_error: false },
      { type: 'tool_result', tool_use_id: 'call_b', content: '12:00', is_error: false },
      { type: 'text', text: 'Thanks, and now?' },
    ],
  },
];

describe('messages', () => {
  test('system (string or text blocks) first, then user text', () => {
    expect(toChatMessages(params([{ role: 'user', content: 'hi' }], { system: 'Be brief.' }))).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]);
    expect(
      toChatMessages(
        params([{ role: 'user', content: 'hi' }], {
          system: [
            { type: 'text', text: 'One.' },
            { type: 'text', text: 'Two.' },
          ],
        }),
      )[0],
    ).toEqual({ role: 'system', content: 'One.\n\nTwo.' });
  });

  test('tool calls on the assistant message, their results as tool messages right after it, in order', () => {
    expect(toChatMessages(params(toolTurn))).toEqual([
      { role: 'user', content: 'What is 2+2, and the time?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          {
            id: 'call_a',
            type: 'function',
            function: { name: 'calculator', arguments: '{"expression":"2+2"}' },
          },
          { id: 'call_b', type: 'function', function: { name: 'current_time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: '4' },
      { role: 'tool', tool_call_id: 'call_b', content: '12:00' },
      { role: 'user', content: 'Thanks, and now?' },
    ]);
  });

  test('thinking goes back as reasoning_content for DeepSeek only', () => {
    const deepseek = toChatMessages(params(toolTurn), { dialect: 'deepseek' });
    expect(deepseek[1]).toMatchObject({ role: 'assistant', reasoning_content: 'Use the tools.' });
    for (const dialect of ['openai', 'generic'] as const)
      expect(toChatMessages(params(toolTurn), { dialect })[1]).not.toHaveProperty('reasoning_content');
  });

  test('an assistant message with only calls has content null; one with nothing to send is left out', () => {
    const out = toChatMessages(
      params([
        { role: 'user', content: 'a' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'c', name: 'calculator', input: { expression: '1' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c', content: '1' }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'only this', signature: '' }] },
        { role: 'user', content: 'b' },
      ]),
    );
    expect(out.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'user']);
    expect(out[1]).toMatchObject({ content: null });
  });

  test('tool result content given as text blocks is joined', () => {
    const out = toChatMessages(
      params([
        { role: 'assistant', content: [{ type: 'tool_use', id: 'c', name: 'x', input: {} }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'c', content: [{ type: 'text', text: 'r' }] }],
        },
      ]),
    );
    expect(out[1]).toEqual({ role: 'tool', tool_call_id: 'c', content: 'r' });
  });

  test('a final assistant message (continue) is sent as a trailing assistant message', () => {
    const out = toChatMessages(
      params([
        { role: 'user', content: 'Write a haiku.' },
        { role: 'assistant', content: [{ type: 'text', text: 'Autumn moon' }] },
      ]),
    );
    expect(out.at(-1)).toEqual({ role: 'assistant', content: 'Autumn moon' });
  });

  test('the relay history with unsigned thinking (the OpenAI wire) keeps it for the adapter to decide', () => {
    const history = toApiMessages(
      [
        { id: 'u', role: 'user', text: 'q', createdAt: 0 },
        {
          id: 'a',
          role: 'assistant',
          createdAt: 0,
          steps: [
            {
              message: {
                id: null,
                model: null,
                blocks: [
                  { type: 'thinking', thinking: 'plan', signature: '' },
                  { type: 'text', text: 'answer', citations: [] },
                ],
                stoppedBlocks: [0, 1],
                stopReason: 'end_turn',
                stopSequence: null,
                stopDetails: null,
                usage: {},
                started: true,
                finished: true,
                providerError: null,
                protocolErrors: [],
                ignoredEvents: 0,
              },
              toolResults: [],
            },
          ],
        } as never,
        { id: 'u2', role: 'user', text: 'more', createdAt: 0 },
      ],
      { unsignedThinking: true },
    );
    const out = toChatMessages(params(history as Params['messages']), { dialect: 'deepseek' });
    expect(out[1]).toEqual({ role: 'assistant', content: 'answer', reasoning_content: 'plan' });
  });
});

describe('tools and the request', () => {
  test('the built-in tools as function tools', () => {
    const tools = toChatTools(toolDefinitions(builtinTools()));
    expect(tools?.map((t) => t.type === 'function' && t.function.name)).toEqual([
      'calculator',
      'current_time',
    ]);
    expect(tools?.[0]).toMatchObject({
      type: 'function',
      function: { parameters: { type: 'object', required: ['expression'] } },
    });
    expect(toChatTools([])).toBeUndefined();
  });

  test('streaming with the usage chunk; max_completion_tokens for OpenAI, max_tokens elsewhere', () => {
    const generic = toChatCompletionRequest(
      params([{ role: 'user', content: 'x' }], { thinking: { type: 'enabled', budget_tokens: 1024 } }),
    );
    expect(generic).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 100,
      stream: true,
      stream_options: { include_usage: true },
    });
    const openai = toChatCompletionRequest(params([{ role: 'user', content: 'x' }]), { dialect: 'openai' });
    expect(openai).toMatchObject({ max_completion_tokens: 100 });
    expect(openai).not.toHaveProperty('max_tokens');
  });

  test('toolIdsOf: every call and result id in the history', () => {
    expect([...toolIdsOf(toolTurn)].sort()).toEqual(['call_a', 'call_b']);
  });
});
