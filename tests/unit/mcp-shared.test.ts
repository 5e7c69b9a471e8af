// The shared pieces of an MCP call: the turn reducer follows approval and progress per tool_use id
// (and changes nothing for an id it never heard of), the desktop port takes a decision only in its
// exact shape, and the simulated provider fills arguments from a tool's schema.
import { expect, test } from 'vitest';
import { argumentsFor, namedTool } from '../../src/main/providers/simulated/scenarios/named-tool';
import { outputOf } from '../../src/main/mcp/tools';
import { parsePageMessage } from '../../src/shared/port-protocol';
import type { RelayEvent, Status } from '../../src/shared/protocol';
import { applyRelayEvent, createTurn } from '../../src/shared/turn';
import type { SimRequest } from '../../src/main/providers/simulated/types';

const status = (s: Status, t = 1): RelayEvent => ({ type: 'status', turnId: 't', t, status: s });

test('the turn reducer follows an MCP call: pending, decided, progress; the phase says who is waited for', () => {
  let turn = createTurn({ startedAt: 0 });
  turn = applyRelayEvent(
    turn,
    status({ phase: 'awaiting_approval', toolUseId: 'u1', server: 'everything', tool: 'echo' }),
    1,
  );
  expect(turn.toolCalls['u1']).toEqual({
    server: 'everything',
    tool: 'echo',
    approval: 'pending',
    remembered: false,
    progress: null,
  });
  expect(turn.phase).toEqual({ kind: 'awaiting_approval', tool: 'echo' });
  turn = applyRelayEvent(
    turn,
    status({ phase: 'tool_decision', toolUseId: 'u1', server: 'everything', tool: 'echo', decision: 'once' }),
    2,
  );
  expect(turn.toolCalls['u1']?.approval).toBe('once');
  expect(turn.phase).toEqual({ kind: 'running_tools', count: 1 });
  turn = applyRelayEvent(
    turn,
    status({ phase: 'tool_progress', toolUseId: 'u1', progress: 2, total: 5, message: 'step 2' }),
    3,
  );
  expect(turn.toolCalls['u1']?.progress).toEqual({ progress: 2, total: 5, message: 'step 2' });
  const before = turn;
  expect(
    applyRelayEvent(turn, status({ phase: 'tool_progress', toolUseId: 'nope', progress: 1 }), 4).toolCalls,
  ).toBe(before.toolCalls);
  // A remembered "Always allow" arrives without a question first.
  turn = applyRelayEvent(
    turn,
    status({
      phase: 'tool_decision',
      toolUseId: 'u2',
      server: 's',
      tool: 't',
      decision: 'always',
      remembered: true,
    }),
    5,
  );
  expect(turn.toolCalls['u2']).toMatchObject({ approval: 'always', remembered: true });
});

test('the desktop port takes a tool decision only in its exact shape', () => {
  expect(parsePageMessage({ type: 'tool_decision', toolUseId: 'toolu_1', decision: 'deny' })).toEqual({
    type: 'tool_decision',
    toolUseId: 'toolu_1',
    decision: 'deny',
  });
  expect(parsePageMessage({ type: 'tool_decision', toolUseId: 'toolu_1', decision: 'sure' })).toBeNull();
  expect(parsePageMessage({ type: 'tool_decision', toolUseId: 7, decision: 'once' })).toBeNull();
  expect(
    parsePageMessage({ type: 'tool_decision', toolUseId: 'x'.repeat(201), decision: 'once' }),
  ).toBeNull();
});

test('the simulated provider picks the tool the prompt names and fills its schema', () => {
  const tools = [
    { name: 'calculator', inputSchema: {} },
    {
      name: 'everything__echo',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    },
    {
      name: 'everything__get-sum',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' }, note: { type: 'string' } },
        required: ['a', 'b'],
      },
    },
  ];
  const req = (prompt: string) => ({ prompt, tools }) as unknown as SimRequest;
  expect(namedTool(req('please use everything__echo now'))?.name).toBe('everything__echo');
  expect(namedTool(req('use everything__echoes'))).toBeNull();
  expect(namedTool(req('what is 2 + 2 with the calculator'))).toBeNull();
  expect(argumentsFor(tools[1]!, 'use everything__echo with "hi there"')).toEqual({ message: 'hi there' });
  expect(argumentsFor(tools[1]!, 'use everything__echo')).toEqual({ message: 'hello' });
  expect(argumentsFor(tools[2]!, 'use everything__get-sum 3 and 4.5')).toEqual({ a: 3, b: 4.5 });
  expect(argumentsFor(tools[2]!, 'use everything__get-sum a=10 b=2 note="x y"')).toEqual({
    a: 10,
    b: 2,
    note: 'x y',
  });
});

test('tool results are untrusted: only a known image type with valid base64 becomes an image part', () => {
  const png = 'iVBORw0KGgo=';
  const out = outputOf({
    content: [
      { type: 'text', text: '<img src=x onerror=alert(1)>' },
      { type: 'image', mimeType: 'image/png', data: png },
      { type: 'image', mimeType: 'image/svg+xml', data: 'PHN2Zz4=' },
      { type: 'image', mimeType: 'image/png', data: 'not base64!' },
      { type: 'resource', resource: { uri: 'file:///tmp/a.txt', mimeType: 'text/plain', text: 'inside' } },
      { type: 'audio', mimeType: 'audio/wav', data: 'AAAA' },
    ],
  });
  expect(out.isError).toBe(false);
  expect(out.parts).toEqual([
    { type: 'text', text: '<img src=x onerror=alert(1)>' },
    { type: 'image', mimeType: 'image/png', data: png },
    { type: 'text', text: expect.stringContaining('image/svg+xml was not shown') },
    { type: 'text', text: expect.stringContaining('image/png was not shown') },
    { type: 'resource', uri: 'file:///tmp/a.txt', mimeType: 'text/plain', text: 'inside' },
    { type: 'text', text: '[a part of type audio, not shown]' },
  ]);
  expect(out.content).toContain('[resource file:///tmp/a.txt]\ninside');
  expect(outputOf({ content: [{ type: 'text', text: 'boom' }], isError: true }).isError).toBe(true);
});
