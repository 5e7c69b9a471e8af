// Builders for scripted streams: the provider events of one assistant message, in the Anthropic
// Messages shape, split into small fragments the way a real stream arrives. Used by the fake
// client (tests and `?demo`), never by the real clients.
import type { RelayError, Status, StopReason, StreamEvent, ToolResultRecord } from '../../../shared/protocol';

/** A relay event as a script describes it: the client fills in `turnId` and `t`. */
export type ScriptEvent =
  | { type: 'status'; status: Status }
  | { type: 'provider'; step: number; event: StreamEvent }
  | { type: 'tool_result'; step: number; result: ToolResultRecord };

/** One scripted item: wait `delayMs`, then deliver `event`. */
export type ScriptItem = { delayMs: number; event: ScriptEvent };

export type ScriptEnd = { outcome: 'complete' | 'error' | 'stalled'; error?: RelayError };

/** `model`: what turn_start names (default: the settings' model or scenario). */
export type TurnScript = { items: ScriptItem[]; end: ScriptEnd; model?: string };

/** Cuts `text` into pieces of about `size` characters (never inside a surrogate pair). */
export function fragments(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

export type BlockSpec =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; inputJson: string; cutOff?: boolean };

export type MessageSpec = {
  id: string;
  model: string;
  blocks: BlockSpec[];
  stopReason: StopReason | null;
  outputTokens: number;
  /** Characters per delta. */
  chunk?: number;
};

/** The provider events of one whole message, in wire order. */
export function messageEvents(spec: MessageSpec): StreamEvent[] {
  const chunk = spec.chunk ?? 6;
  const events: StreamEvent[] = [
    {
      type: 'message_start',
      message: {
        id: spec.id,
        role: 'assistant',
        model: spec.model,
        usage: { input_tokens: 20, output_tokens: 1 },
      },
    },
  ];
  spec.blocks.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const text of fragments(block.text, chunk))
          events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
        break;
      case 'thinking':
        events.push({
          type: 'content_block_start',
          index,
          content_block: { type: 'thinking', thinking: '' },
        });
        for (const thinking of fragments(block.thinking, chunk))
          events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } });
        events.push({
          type: 'content_block_delta',
          index,
          delta: { type: 'signature_delta', signature: block.signature ?? 'sig' },
        });
        break;
      case 'redacted_thinking':
        events.push({
          type: 'content_block_start',
          index,
          content_block: { type: 'redacted_thinking', data: block.data },
        });
        break;
      case 'tool_use':
        events.push({
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        });
        for (const partial_json of fragments(block.inputJson, 3))
          events.push({
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json },
          });
        if (block.cutOff) return;
        break;
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: spec.stopReason },
    usage: { output_tokens: spec.outputTokens },
  });
  events.push({ type: 'message_stop' });
  return events;
}

/** Provider events of step `step` as script items, `tpotMs` apart, the first after `ttftMs`. */
export function stepItems(step: number, events: StreamEvent[], ttftMs: number, tpotMs: number): ScriptItem[] {
  return events.map((event, i) => ({
    delayMs: i === 0 ? 0 : i === 1 ? ttftMs : event.type === 'content_block_delta' ? tpotMs : 0,
    event: { type: 'provider', step, event },
  }));
}

/** The statuses a request goes through before its first event. */
export function connectItems(attempt: number, ttfbMs: number): ScriptItem[] {
  return [
    { delayMs: 0, event: { type: 'status', status: { phase: 'connecting', attempt } } },
    { delayMs: ttfbMs, event: { type: 'status', status: { phase: 'waiting', attempt, ttfbMs } } },
  ];
}
