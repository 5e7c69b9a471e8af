// toApiMessages: stored conversations become request messages the API accepts — alternating roles,
// every tool_use answered, nothing half-done.
import { expect, test } from 'vitest';
import { finalizeMessage } from '../../../src/shared/accumulate';
import { toApiMessages, type ApiMessageParam } from '../../../src/main/relay/history';
import type {
  AccMessage,
  AssistantMessage,
  AssistantStep,
  ChatMessage,
  StreamEvent,
  ToolResultRecord,
  UserMessage,
} from '../../../src/shared/protocol';
import { fixtureEvents } from '../../support/sse';
import {
  blockStart,
  blockStop,
  errorEvent,
  jsonDelta,
  messageDelta,
  messageStart,
  messageStop,
  reduce,
  signatureDelta,
  textDelta,
  textStart,
  thinkingDelta,
  thinkingStart,
  toolStart,
} from '../../support/stream-events';

const user = (text: string): UserMessage => ({ id: `u-${text}`, role: 'user', text, createdAt: 0 });
const step = (events: StreamEvent[], toolResults: ToolResultRecord[] = []): AssistantStep => ({
  message: finalizeMessage(reduce(events)),
  toolResults,
});
const assistant = (...steps: AssistantStep[]): AssistantMessage => ({
  id: 'a',
  role: 'assistant',
  turnId: 't',
  createdAt: 0,
  steps,
  outcome: 'complete',
  stopReason: 'end_turn',
  error: null,
  metrics: null,
  provider: 'simulated',
  model: 'sim-text',
});
const result = (toolUseId: string, content: string, isError = false): ToolResultRecord => ({
  toolUseId,
  name: 'calculator',
  content,
  isError,
});
const textStep = (...parts: string[]) =>
  step([
    messageStart(),
    textStart(0),
    ...parts.map((p) => textDelta(0, p)),
    blockStop(0),
    messageDelta('end_turn'),
    messageStop(),
  ]);

/** Every conversion must alternate roles and start with the user; checked on every output below. */
function convert(messages: ChatMessage[]): ApiMessageParam[] {
  const out = toApiMessages(messages);
  out.forEach((m, i) => {
    expect(m.role).toBe(i % 2 === 0 ? 'user' : 'assistant');
  });
  return out;
}

test('user and assistant text become plain alternating messages', () => {
  expect(convert([user('hi'), assistant(textStep('Hel', 'lo!')), user('again')])).toEqual([
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
    { role: 'user', content: 'again' },
  ]);
});

test('a tool loop: tool_use with its parsed input, then the tool_result, then the answer', () => {
  const call = step(
    [
      messageStart(),
      textStart(0),
      textDelta(0, 'Computing.'),
      blockStop(0),
      toolStart(1, { id: 'toolu_1' }),
      jsonDelta(1, '{"expression":"2*3"}'),
      blockStop(1),
      messageDelta('tool_use'),
    ],
    [result('toolu_1', '6')],
  );
  expect(convert([user('2*3?'), assistant(call, textStep('It is 6.'))])).toEqual([
    { role: 'user', content: '2*3?' },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Computing.' },
        { type: 'tool_use', id: 'toolu_1', name: 'calculator', input: { expression: '2*3' } },
      ],
    },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '6', is_error: false }],
    },
    { role: 'assistant', content: [{ type: 'text', text: 'It is 6.' }] },
  ]);
});

test('a tool_use whose input failed to parse is dropped with its result; the steps around it merge', () => {
  const bad = step(
    [
      messageStart(),
      textStart(0),
      textDelta(0, 'Trying.'),
      blockStop(0),
      toolStart(1, { id: 'toolu_bad' }),
      jsonDelta(1, '{oops'),
      blockStop(1),
    ],
    [result('toolu_bad', 'The tool was not run', true)],
  );
  expect(convert([user('go'), assistant(bad, textStep('Sorry.'))])).toEqual([
    { role: 'user', content: 'go' },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Trying.' },
        { type: 'text', text: 'Sorry.' },
      ],
    },
  ]);
});

test('a tool_use cut by max_tokens (never stopped) is dropped', () => {
  const cut = step([
    messageStart(),
    textStart(0),
    textDelta(0, 'Writing.'),
    blockStop(0),
    toolStart(1),
    jsonDelta(1, '{"a":'),
    messageDelta('max_tokens'),
    messageStop(),
  ]);
  expect(convert([user('go'), assistant(cut)])).toEqual([
    { role: 'user', content: 'go' },
    { role: 'assistant', content: [{ type: 'text', text: 'Writing.' }] },
  ]);
});

test('a parsed tool_use with no result (the turn was stopped before the tool ran) is dropped', () => {
  const dangling = step([
    messageStart(),
    textStart(0),
    textDelta(0, 'Let me check.'),
    blockStop(0),
    toolStart(1, { id: 'toolu_x' }),
    jsonDelta(1, '{}'),
    blockStop(1),
  ]);
  expect(convert([user('time?'), assistant(dangling), user('never mind')])).toEqual([
    { role: 'user', content: 'time?' },
    { role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }] },
    { role: 'user', content: 'never mind' },
  ]);
});

test('thinking goes back with its signature, without it not at all; redacted_thinking verbatim', () => {
  const s = step([
    messageStart(),
    thinkingStart(0),
    thinkingDelta(0, 'signed'),
    signatureDelta(0, 'sig=='),
    blockStop(0),
    thinkingStart(1),
    thinkingDelta(1, 'cut before its signature'),
    blockStop(1),
    blockStart(2, { type: 'redacted_thinking', data: 'RED/acted+==' }),
    blockStop(2),
    textStart(3),
    textDelta(3, 'Done.'),
    blockStop(3),
  ]);
  expect(convert([user('q'), assistant(s)])[1]).toEqual({
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'signed', signature: 'sig==' },
      { type: 'redacted_thinking', data: 'RED/acted+==' },
      { type: 'text', text: 'Done.' },
    ],
  });
});

test('empty and whitespace-only text blocks are skipped', () => {
  const s = step([
    messageStart(),
    textStart(0),
    blockStop(0),
    textStart(1),
    textDelta(1, ' \n'),
    blockStop(1),
    textStart(2),
    textDelta(2, 'Real.'),
    blockStop(2),
  ]);
  expect(convert([user('q'), assistant(s)])[1]).toEqual({
    role: 'assistant',
    content: [{ type: 'text', text: 'Real.' }],
  });
});

test('an aborted or errored turn with no content is skipped and the user messages around it merge', () => {
  const empty: AccMessage = reduce([messageStart(), errorEvent()]);
  expect(
    convert([user('first'), assistant({ message: empty, toolResults: [] }), user('second'), assistant()]),
  ).toEqual([
    {
      role: 'user',
      content: [
        { type: 'text', text: 'first' },
        { type: 'text', text: 'second' },
      ],
    },
  ]);
});

test('an errored turn keeps the text it streamed', () => {
  const partial = step([messageStart(), textStart(0), textDelta(0, 'half an answer'), errorEvent()]);
  expect(convert([user('q'), assistant(partial), user('retry')])).toEqual([
    { role: 'user', content: 'q' },
    { role: 'assistant', content: [{ type: 'text', text: 'half an answer' }] },
    { role: 'user', content: 'retry' },
  ]);
});

test('tool results and the next question merge into one user message, results first', () => {
  const call = step(
    [messageStart(), toolStart(0, { id: 'toolu_1' }), jsonDelta(0, '{"expression":"1"}'), blockStop(0)],
    [result('toolu_1', 'bad', true)],
  );
  const out = convert([user('q'), assistant(call), user('next')]);
  expect(out[2]).toEqual({
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'bad', is_error: true },
      { type: 'text', text: 'next' },
    ],
  });
});

test('server_tool_use and the opaque web_search_tool_result go back verbatim (recorded stream)', () => {
  const s = step(fixtureEvents('stream-a-toolrefusal.sse'));
  const resultStart = fixtureEvents('stream-a-toolrefusal.sse').find(
    (e) => e.type === 'content_block_start' && e.index === 1,
  );
  const [, reply] = convert([user('eclipses?'), assistant(s)]);
  expect(reply?.role).toBe('assistant');
  expect(reply?.content).toEqual([
    {
      type: 'server_tool_use',
      id: 'srvtoolu_fixture_a_0001',
      name: 'web_search',
      input: { query: 'solar eclipse viewing safety news 2026' },
    },
    resultStart?.type === 'content_block_start' ? resultStart.content_block : null,
    { type: 'text', text: "Here's a summary of this year's solar eclipses and how" },
  ]);
});

test('a final assistant message (a prefill to continue) loses its trailing whitespace', () => {
  const out = convert([user('write'), assistant(textStep('Once upon a time, \n'))]);
  expect(out.at(-1)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Once upon a time,' }] });
  expect(convert([user('write'), assistant(textStep('kept \n')), user('more')])[1]).toEqual({
    role: 'assistant',
    content: [{ type: 'text', text: 'kept \n' }],
  });
});

test('the conversion does not mutate the stored conversation', () => {
  const call = step(
    [messageStart(), toolStart(0, { id: 'toolu_1' }), jsonDelta(0, '{"expression":"1"}'), blockStop(0)],
    [result('toolu_1', '1')],
  );
  const messages: ChatMessage[] = [user('a'), assistant(call, textStep('b ')), user('c')];
  const snapshot = structuredClone(messages);
  convert(messages);
  expect(messages).toEqual(snapshot);
});

test('unsignedThinking (the OpenAI wire) keeps thinking without a signature, for the adapter to decide', () => {
  const unsigned = step([
    messageStart(),
    thinkingStart(0),
    thinkingDelta(0, 'reasoning from reasoning_content'),
    blockStop(0),
    textStart(1),
    textDelta(1, 'answer'),
    blockStop(1),
    messageDelta('end_turn'),
    messageStop(),
  ]);
  const history = [user('q'), assistant(unsigned), user('next')];
  expect(toApiMessages(history)[1]).toEqual({
    role: 'assistant',
    content: [{ type: 'text', text: 'answer' }],
  });
  expect(toApiMessages(history, { unsignedThinking: true })[1]).toEqual({
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'reasoning from reasoning_content', signature: '' },
      { type: 'text', text: 'answer' },
    ],
  });
});
