// Builders for provider events, so a test states the stream it needs in a few readable lines, and
// `reduce` to run a list of them through the one reducer.
import { accumulate, createMessage, finalizeMessage } from '../../src/shared/accumulate';
import type { AccMessage, StopReason, StreamEvent, Usage, WireBlock } from '../../src/shared/protocol';

/** An event the contract does not know (an unknown type, or a known one with an unknown delta/block). */
export type UnknownEvent = { type: string; [field: string]: unknown };

export const messageStart = (
  over: { id?: string; model?: string; usage?: Usage } = {},
): Extract<StreamEvent, { type: 'message_start' }> => ({
  type: 'message_start',
  message: {
    id: over.id ?? 'msg_test',
    type: 'message',
    role: 'assistant',
    model: over.model ?? 'test-model',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: over.usage ?? { input_tokens: 10, output_tokens: 1 },
  },
});

export const blockStart = (index: number, block: WireBlock): StreamEvent => ({
  type: 'content_block_start',
  index,
  content_block: block,
});
export const textStart = (index: number, text = ''): StreamEvent => blockStart(index, { type: 'text', text });
export const thinkingStart = (index: number): StreamEvent =>
  blockStart(index, { type: 'thinking', thinking: '', signature: '' });
export const toolStart = (
  index: number,
  over: { id?: string; name?: string; input?: unknown; type?: 'tool_use' | 'server_tool_use' } = {},
): StreamEvent =>
  blockStart(index, {
    type: over.type ?? 'tool_use',
    id: over.id ?? `toolu_${index}`,
    name: over.name ?? 'calculator',
    input: 'input' in over ? over.input : {},
  });

const delta = (
  index: number,
  d: Extract<StreamEvent, { type: 'content_block_delta' }>['delta'],
): StreamEvent => ({
  type: 'content_block_delta',
  index,
  delta: d,
});
export const textDelta = (index: number, text: string) => delta(index, { type: 'text_delta', text });
export const thinkingDelta = (index: number, thinking: string) =>
  delta(index, { type: 'thinking_delta', thinking });
export const signatureDelta = (index: number, signature: string) =>
  delta(index, { type: 'signature_delta', signature });
export const jsonDelta = (index: number, partial_json: string) =>
  delta(index, { type: 'input_json_delta', partial_json });
export const citationDelta = (index: number, citation: unknown) =>
  delta(index, { type: 'citations_delta', citation });

export const blockStop = (index: number): StreamEvent => ({ type: 'content_block_stop', index });

export const messageDelta = (
  stopReason: StopReason | null,
  usage?: Usage,
  extra: object = {},
): StreamEvent => ({
  type: 'message_delta',
  delta: { stop_reason: stopReason, stop_sequence: null, ...extra },
  ...(usage ? { usage } : {}),
});
export const messageStop = (): StreamEvent => ({ type: 'message_stop' });
export const ping = (): StreamEvent => ({ type: 'ping' });
export const errorEvent = (type = 'overloaded_error', message = 'Overloaded'): StreamEvent => ({
  type: 'error',
  error: { type, message },
});

/** A complete text-only stream: start, one text block made of `parts`, stop reason, stop. */
export function textStream(parts: readonly string[], stopReason: StopReason = 'end_turn'): StreamEvent[] {
  return [
    messageStart(),
    textStart(0),
    ...parts.map((p) => textDelta(0, p)),
    blockStop(0),
    messageDelta(stopReason, { output_tokens: parts.length }),
    messageStop(),
  ];
}

/** A complete stream with one tool block whose input arrives as the given fragments. */
export function toolStream(
  fragments: readonly string[],
  over: Parameters<typeof toolStart>[1] = {},
): StreamEvent[] {
  return [
    messageStart(),
    toolStart(0, over),
    ...fragments.map((f) => jsonDelta(0, f)),
    blockStop(0),
    messageDelta('tool_use', { output_tokens: 20 }),
    messageStop(),
  ];
}

/** Runs events through the reducer from a fresh message (or `from`). Accepts events the contract does not know. */
export function reduce(
  events: readonly (StreamEvent | UnknownEvent)[],
  from: AccMessage = createMessage(),
): AccMessage {
  return events.reduce<AccMessage>((msg, e) => accumulate(msg, e as StreamEvent), from);
}

/** `reduce`, then `finalizeMessage`, as the relay does when a stream ends. */
export function reduceFinal(events: readonly (StreamEvent | UnknownEvent)[]): AccMessage {
  return finalizeMessage(reduce(events));
}

/** Deep-freezes a value, so a test fails loudly if anything tries to mutate it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
