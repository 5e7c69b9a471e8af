// The one stream reducer (DESIGN.md rule 4): provider events in, an immutable AccMessage out. The
// main process and the renderer both run it on every event, so it is pure, O(blocks) per event,
// and never throws on what the wire sends: unknown types are counted in `ignoredEvents`, impossible
// orders become ProtocolError values, and the content received so far is always kept.
import type {
  AccBlock,
  AccBlocks,
  AccMessage,
  ProtocolError,
  StreamEvent,
  ToolInputParseError,
  ToolInputState,
  Usage,
  WireBlock,
  WireDelta,
  WireError,
  WireMessage,
} from './protocol';

export type ToolBlock = Extract<AccBlock, { type: 'tool_use' | 'server_tool_use' }>;
export type ParsedToolBlock = ToolBlock & { input: Extract<ToolInputState, { status: 'parsed' }> };

const STREAMING: ToolInputState = { status: 'streaming' };
// A wire index is an array index here; a junk index like 1e9 would make every copy of the sparse
// array cost O(index), so anything past this is treated as an event we do not understand.
const MAX_BLOCK_INDEX = 10_000;
// A broken stream repeats the same mistake on every event; the first few say all there is to say.
const MAX_PROTOCOL_ERRORS = 32;

export function createMessage(): AccMessage {
  return {
    id: null,
    model: null,
    blocks: [],
    stoppedBlocks: [],
    stopReason: null,
    stopSequence: null,
    stopDetails: null,
    usage: {},
    started: false,
    finished: false,
    providerError: null,
    protocolErrors: [],
    ignoredEvents: 0,
  };
}

/**
 * Applies one provider event. Returns `msg` itself when nothing changed (ping, an empty delta, a
 * repeated stop), otherwise a new message whose `blocks` array differs only in the block the event
 * touched: the other blocks keep their identity, so a UI re-renders only the growing one.
 */
export function accumulate(msg: AccMessage, event: StreamEvent): AccMessage {
  if (!isRecord(event)) return ignored(msg);
  switch (event.type) {
    case 'message_start':
      return msg.started
        ? protocolError(msg, 'duplicate_message_start', event.type)
        : start(msg, event.message);
    case 'content_block_start':
      return onBlockStart(msg, event);
    case 'content_block_delta':
      return onBlockDelta(msg, event);
    case 'content_block_stop':
      return onBlockStop(msg, event);
    case 'message_delta':
      if (!msg.started) return protocolError(msg, 'event_before_message_start', event.type);
      return onMessageDelta(msg, event);
    case 'message_stop':
      if (!msg.started) return protocolError(msg, 'event_before_message_start', event.type);
      return msg.finished ? msg : { ...msg, finished: true };
    case 'ping':
      return msg;
    case 'error':
      return { ...msg, providerError: wireError(event.error) };
    default: {
      const _unknown: never = event;
      return ignored(msg);
    }
  }
}

/**
 * Called once the stream has ended, however it ended. A tool block that never got its
 * content_block_stop (cut by max_tokens, a drop, an abort) fails as `incomplete`: its JSON is
 * unterminated by construction, so it is not parsed at all and its raw text is kept for display.
 */
export function finalizeMessage(msg: AccMessage): AccMessage {
  let blocks: AccBlocks | null = null;
  for (const [index, block] of msg.blocks.entries()) {
    if (isToolBlock(block) && block.input.status === 'streaming') {
      blocks ??= msg.blocks.slice();
      blocks[index] = {
        ...block,
        input: failed(
          'incomplete',
          `The arguments of tool "${block.name}" were cut off before the block ended, so the tool was not run. ` +
            'Raise max tokens or ask the model to continue.',
        ),
      };
    }
  }
  return blocks ? { ...msg, blocks } : msg;
}

/** The text of every text block, in order. */
export function textOf(msg: AccMessage): string {
  let text = '';
  for (const block of msg.blocks) if (block?.type === 'text') text += block.text;
  return text;
}

/** Tool blocks (client `tool_use` and provider-run `server_tool_use`) in wire order. */
export function toolUses(msg: AccMessage): ToolBlock[] {
  return msg.blocks.filter(isToolBlock);
}

/** JSON.parse calls made on this message's tool input (at most one per tool block). */
export function countToolInputParses(msg: AccMessage): number {
  return toolUses(msg).reduce((n, block) => n + block.parseAttempts, 0);
}

export function isToolBlock(block: AccBlock | null | undefined): block is ToolBlock {
  return block?.type === 'tool_use' || block?.type === 'server_tool_use';
}

/** Only a client `tool_use` whose input parsed may run here; `server_tool_use` runs at the provider. */
export function isToolRunnable(block: AccBlock | null | undefined): block is ParsedToolBlock {
  return block?.type === 'tool_use' && block.input.status === 'parsed';
}

// ───────────────────────────── message events ─────────────────────────────

function start(msg: AccMessage, message: WireMessage): AccMessage {
  const m: Partial<WireMessage> = isRecord(message) ? message : {};
  return {
    ...msg,
    started: true,
    id: typeof m.id === 'string' ? m.id : null,
    model: typeof m.model === 'string' ? m.model : null,
    usage: mergeUsage({}, m.usage),
    stopReason: typeof m.stop_reason === 'string' ? m.stop_reason : msg.stopReason,
    stopSequence: typeof m.stop_sequence === 'string' ? m.stop_sequence : msg.stopSequence,
    stopDetails: m.stop_details ?? msg.stopDetails,
  };
}

// Usage is cumulative, so a later value replaces an earlier one; a null or missing field means
// "not reported in this event", not zero, and keeps what message_start said (as the SDK does).
function onMessageDelta(msg: AccMessage, event: Extract<StreamEvent, { type: 'message_delta' }>): AccMessage {
  const d: Extract<StreamEvent, { type: 'message_delta' }>['delta'] = isRecord(event.delta)
    ? event.delta
    : {};
  return {
    ...msg,
    stopReason: typeof d.stop_reason === 'string' ? d.stop_reason : msg.stopReason,
    stopSequence: typeof d.stop_sequence === 'string' ? d.stop_sequence : msg.stopSequence,
    stopDetails: d.stop_details ?? msg.stopDetails,
    usage: isRecord(event.usage) ? mergeUsage(msg.usage, event.usage) : msg.usage,
  };
}

function mergeUsage(current: Usage, incoming: unknown): Usage {
  if (!isRecord(incoming)) return current;
  const merged: Usage = { ...current };
  for (const [key, value] of Object.entries(incoming))
    if (value !== null && value !== undefined) merged[key] = value;
  return merged;
}

function wireError(error: unknown): WireError {
  const e = isRecord(error) ? error : {};
  return {
    type: typeof e.type === 'string' ? e.type : 'unknown_error',
    message: typeof e.message === 'string' ? e.message : 'The provider reported an error without details.',
  };
}

// ───────────────────────────── block events ─────────────────────────────

type BlockEvent = Extract<StreamEvent, { index: number }>;

/** The event's block index, or an AccMessage already saying why the event cannot apply. */
function checkBlockEvent(msg: AccMessage, event: BlockEvent): number | AccMessage {
  const { index } = event;
  if (!Number.isInteger(index) || index < 0 || index > MAX_BLOCK_INDEX) return ignored(msg);
  if (!msg.started) return protocolError(msg, 'event_before_message_start', event.type, index);
  return index;
}

function onBlockStart(
  msg: AccMessage,
  event: Extract<StreamEvent, { type: 'content_block_start' }>,
): AccMessage {
  const index = checkBlockEvent(msg, event);
  if (typeof index !== 'number') return index;
  if (msg.blocks[index] != null) return protocolError(msg, 'duplicate_block_start', event.type, index);
  if (!isRecord(event.content_block)) return ignored(msg);
  return withBlocks(msg, withBlock(msg.blocks, index, startBlock(event.content_block)));
}

function onBlockDelta(
  msg: AccMessage,
  event: Extract<StreamEvent, { type: 'content_block_delta' }>,
): AccMessage {
  const index = checkBlockEvent(msg, event);
  if (typeof index !== 'number') return index;
  const block = msg.blocks[index];
  if (block == null) return protocolError(msg, 'delta_before_start', event.type, index);
  // A stopped block is final: its tool input has been parsed and must stay what was parsed.
  if (msg.stoppedBlocks.includes(index) || !isRecord(event.delta)) return ignored(msg);
  const next = applyDelta(block, event.delta);
  if (next === null) return ignored(msg);
  return next === block ? msg : withBlocks(msg, withBlock(msg.blocks, index, next));
}

function onBlockStop(
  msg: AccMessage,
  event: Extract<StreamEvent, { type: 'content_block_stop' }>,
): AccMessage {
  const index = checkBlockEvent(msg, event);
  if (typeof index !== 'number') return index;
  const block = msg.blocks[index];
  if (block == null) return protocolError(msg, 'delta_before_start', event.type, index);
  if (msg.stoppedBlocks.includes(index)) return msg;
  const stoppedBlocks = [...msg.stoppedBlocks, index];
  if (!isToolBlock(block)) return { ...msg, stoppedBlocks };
  return { ...msg, stoppedBlocks, blocks: withBlock(msg.blocks, index, settleToolInput(block)) };
}

function startBlock(wire: WireBlock): AccBlock {
  switch (wire.type) {
    case 'text':
      return {
        type: 'text',
        text: str(wire.text),
        citations: Array.isArray(wire.citations) ? wire.citations : [],
      };
    case 'thinking':
      return { type: 'thinking', thinking: str(wire.thinking), signature: str(wire.signature) };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: str(wire.data) };
    case 'tool_use':
    case 'server_tool_use': {
      const block: ToolBlock = {
        type: wire.type,
        id: str(wire.id),
        name: str(wire.name),
        inputJson: '',
        input: STREAMING,
        parseAttempts: 0,
      };
      if (isRecord(wire.input) && !Array.isArray(wire.input) && Object.keys(wire.input).length > 0) {
        block.initialInput = wire.input;
      }
      return block;
    }
    default: {
      const other: never = wire;
      const raw = other as Record<string, unknown>;
      return { type: 'opaque', blockType: String(raw.type), raw };
    }
  }
}

/** The block after the delta; the same block when the delta adds nothing; null when it does not fit. */
function applyDelta(block: AccBlock, delta: WireDelta): AccBlock | null {
  switch (delta.type) {
    case 'text_delta':
      if (block.type !== 'text') return null;
      return delta.text
        ? { type: 'text', text: block.text + str(delta.text), citations: block.citations }
        : block;
    case 'citations_delta':
      return block.type === 'text' ? { ...block, citations: [...block.citations, delta.citation] } : null;
    case 'thinking_delta':
      if (block.type !== 'thinking') return null;
      return delta.thinking
        ? { type: 'thinking', thinking: block.thinking + str(delta.thinking), signature: block.signature }
        : block;
    case 'signature_delta':
      // The signature arrives whole, once, after the thinking text; it replaces, never appends.
      return block.type === 'thinking' ? { ...block, signature: str(delta.signature) } : null;
    case 'input_json_delta':
      if (!isToolBlock(block)) return null;
      return delta.partial_json ? withInputJson(block, block.inputJson + str(delta.partial_json)) : block;
    default: {
      const _unknown: never = delta;
      return null;
    }
  }
}

// The one place tool input is parsed (DESIGN.md rule 5), at the block's content_block_stop.
function settleToolInput(block: ToolBlock): ToolBlock {
  if (block.inputJson.trim() === '') {
    // No JSON text streamed: the input is what content_block_start carried ({} from the API).
    return { ...block, input: { status: 'parsed', value: block.initialInput ?? {} } };
  }
  const parseAttempts = block.parseAttempts + 1;
  let value: unknown;
  try {
    value = JSON.parse(block.inputJson);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ...block,
      parseAttempts,
      input: failed(
        'invalid_json',
        `The arguments of tool "${block.name}" are not valid JSON (${reason}), so the tool was not run. ` +
          'The raw text is kept; ask the model to try again.',
      ),
    };
  }
  if (!isRecord(value) || Array.isArray(value)) {
    return {
      ...block,
      parseAttempts,
      input: failed(
        'not_an_object',
        `The arguments of tool "${block.name}" are ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, ` +
          'not a JSON object, so the tool was not run. Ask the model to try again.',
      ),
    };
  }
  return { ...block, parseAttempts, input: { status: 'parsed', value } };
}

// ───────────────────────────── small pieces ─────────────────────────────

// The hot path (one call per delta on both sides of the relay) builds its objects field by field:
// V8 in Node 20 copies an object made by a spread, through another spread, about ten times slower
// than it builds a literal (`npx tsx bench/run.ts --only=throughput`; see metrics.ts copyOf).

/** `msg` with other blocks, built as a literal. */
function withBlocks(msg: AccMessage, blocks: AccBlocks): AccMessage {
  return {
    id: msg.id,
    model: msg.model,
    blocks,
    stoppedBlocks: msg.stoppedBlocks,
    stopReason: msg.stopReason,
    stopSequence: msg.stopSequence,
    stopDetails: msg.stopDetails,
    usage: msg.usage,
    started: msg.started,
    finished: msg.finished,
    providerError: msg.providerError,
    protocolErrors: msg.protocolErrors,
    ignoredEvents: msg.ignoredEvents,
  };
}

/** A tool block with more of its JSON, built as a literal. */
function withInputJson(block: ToolBlock, inputJson: string): ToolBlock {
  const next: ToolBlock = {
    type: block.type,
    id: block.id,
    name: block.name,
    inputJson,
    input: block.input,
    parseAttempts: block.parseAttempts,
  };
  if (block.initialInput) next.initialInput = block.initialInput;
  return next;
}

function withBlock(blocks: AccBlocks, index: number, block: AccBlock): AccBlocks {
  const next = blocks.slice(); // keeps holes: indices stay the wire's indices
  next[index] = block;
  return next;
}

function failed(type: ToolInputParseError['type'], message: string): ToolInputState {
  return { status: 'failed', error: { type, message } };
}

function ignored(msg: AccMessage): AccMessage {
  return { ...msg, ignoredEvents: msg.ignoredEvents + 1 };
}

const PROTOCOL_MESSAGES: Record<ProtocolError['type'], (eventType: string, index?: number) => string> = {
  delta_before_start: (t, i) =>
    `A ${t} arrived for block ${i}, which never started; it was ignored. The stream is malformed, so this answer may be incomplete.`,
  duplicate_message_start: () =>
    'A second message_start arrived; it was ignored and the first message kept. The stream is malformed; if this repeats, check any proxy in between.',
  event_before_message_start: (t) =>
    `A ${t} arrived before message_start; it was ignored. The response may not come from a Messages API: check the base URL or proxy.`,
  duplicate_block_start: (_t, i) =>
    `Block ${i} started twice; the second start was ignored and the first block kept. The stream is malformed, so this answer may be incomplete.`,
};

function protocolError(
  msg: AccMessage,
  type: ProtocolError['type'],
  eventType: string,
  index?: number,
): AccMessage {
  if (msg.protocolErrors.length >= MAX_PROTOCOL_ERRORS) return ignored(msg);
  const error: ProtocolError = { type, message: PROTOCOL_MESSAGES[type](eventType, index), eventType };
  if (index !== undefined) error.index = index;
  return { ...msg, protocolErrors: [...msg.protocolErrors, error] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
