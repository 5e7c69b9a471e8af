// A stored conversation turned into the `messages` of the next Messages API request. The API is
// strict about what it takes back (roles alternate, every tool_use has its tool_result in the next
// user message, no empty text, thinking only with its signature), so whatever the stream left
// half-done (an abort, a tool input that never parsed) is dropped here rather than sent and rejected.
// Plain types, not the SDK's, so the conversion is tested without one.
import type { Attachment } from '../../shared/attachments';
import type {
  AccBlock,
  AssistantStep,
  ChatMessage,
  ToolResultRecord,
  UserMessage,
} from '../../shared/protocol';

export type ApiTextBlock = { type: 'text'; text: string };
export type ApiThinkingBlock = { type: 'thinking'; thinking: string; signature: string };
export type ApiRedactedThinkingBlock = { type: 'redacted_thinking'; data: string };
export type ApiToolUseBlock = {
  type: 'tool_use' | 'server_tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
};
export type ApiToolResultBlock = {
  type: 'tool_result';
  tool_use_id: string;
  content: string;
  is_error: boolean;
};
/** An attached image or PDF, as the Messages API takes it (base64 in the request). */
export type ApiImageBlock = {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string };
};
export type ApiDocumentBlock = {
  type: 'document';
  source: { type: 'base64'; media_type: 'application/pdf'; data: string };
  title: string;
};
/** A block the reducer kept verbatim (web_search_tool_result, …), sent back as it came. */
export type ApiOpaqueBlock = { type: string; [field: string]: unknown };

export type ApiContentBlock =
  | ApiTextBlock
  | ApiImageBlock
  | ApiDocumentBlock
  | ApiThinkingBlock
  | ApiRedactedThinkingBlock
  | ApiToolUseBlock
  | ApiToolResultBlock
  | ApiOpaqueBlock;

export type ApiMessageParam = { role: 'user' | 'assistant'; content: string | ApiContentBlock[] };

export type HistoryOptions = {
  /**
   * Keep thinking that has no signature (sent with an empty one). The Messages API rejects it, so
   * it is dropped by default; the OpenAI wire's adapter decides itself what to send back of it
   * (DeepSeek's `reasoning_content`, nothing elsewhere).
   */
  unsignedThinking?: boolean;
};

export function toApiMessages(
  messages: readonly ChatMessage[],
  options: HistoryOptions = {},
): ApiMessageParam[] {
  const out: ApiMessageParam[] = [];
  for (const message of messages) {
    if (message.role === 'user') {
      const content = userContent(message);
      if (content.length > 0) push(out, { role: 'user', content });
      continue;
    }
    for (const step of message.steps) {
      const { content, results } = convertStep(step, options);
      if (content.length > 0) push(out, { role: 'assistant', content });
      if (results.length > 0) push(out, { role: 'user', content: results });
    }
  }
  trimFinalAssistant(out);
  return out;
}

/**
 * A user message: its attachments first (images and documents before the question, as the API
 * recommends; a large paste as its own text block), then its text. Without attachments, the text.
 */
function userContent(message: UserMessage): string | ApiContentBlock[] {
  const attached = (message.attachments ?? []).map(attachmentBlock);
  if (attached.length === 0) return message.text.trim() === '' ? [] : message.text;
  return message.text.trim() === '' ? attached : [...attached, { type: 'text', text: message.text }];
}

function attachmentBlock(attachment: Attachment): ApiContentBlock {
  switch (attachment.kind) {
    case 'image':
      return {
        type: 'image',
        source: { type: 'base64', media_type: attachment.mimeType, data: attachment.data },
      };
    case 'pdf':
      return {
        type: 'document',
        source: { type: 'base64', media_type: attachment.mimeType, data: attachment.data },
        title: attachment.name,
      };
    case 'text':
      return { type: 'text', text: attachment.text };
  }
}

function convertStep(
  step: AssistantStep,
  options: HistoryOptions,
): { content: ApiContentBlock[]; results: ApiToolResultBlock[] } {
  const resultsById = new Map<string, ToolResultRecord>();
  for (const r of step.toolResults) if (!resultsById.has(r.toolUseId)) resultsById.set(r.toolUseId, r);
  const content: ApiContentBlock[] = [];
  const results: ApiToolResultBlock[] = [];
  for (const block of step.message.blocks) {
    if (block == null) continue;
    const converted = convertBlock(block, resultsById, options);
    if (converted === null) continue;
    content.push(converted);
    const result = block.type === 'tool_use' ? resultsById.get(block.id) : undefined;
    if (result) {
      results.push({
        type: 'tool_result',
        tool_use_id: result.toolUseId,
        content: result.content,
        is_error: result.isError,
      });
    }
  }
  return { content, results };
}

function convertBlock(
  block: AccBlock,
  results: ReadonlyMap<string, ToolResultRecord>,
  options: HistoryOptions,
): ApiContentBlock | null {
  switch (block.type) {
    case 'text':
      // Citations are not sent back: the response's citation objects carry fields the request
      // schema does not accept, and the text alone is what the next turn needs.
      return block.text.trim() === '' ? null : { type: 'text', text: block.text };
    case 'thinking':
      // Thinking without its signature is rejected by the API (and cannot be verified), so drop it.
      return block.signature === '' && !options.unsignedThinking
        ? null
        : { type: 'thinking', thinking: block.thinking, signature: block.signature };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
    case 'tool_use':
    case 'server_tool_use':
      // A tool call whose input never parsed cannot go back: the API takes only an object input.
      // A client tool_use also needs its tool_result in the next message, so one without a result
      // is dropped; a server_tool_use's result is an opaque block in this same message.
      if (block.input.status !== 'parsed') return null;
      if (block.type === 'tool_use' && !results.has(block.id)) return null;
      return { type: block.type, id: block.id, name: block.name, input: block.input.value };
    case 'opaque':
      return { ...block.raw, type: block.blockType };
    default: {
      const _unknown: never = block;
      return null;
    }
  }
}

// The API requires alternating roles: a user message after an assistant turn that left nothing,
// or tool results followed by the next question, become one message.
function push(out: ApiMessageParam[], next: ApiMessageParam): void {
  const prev = out.at(-1);
  if (prev === undefined || prev.role !== next.role) {
    out.push(next);
    return;
  }
  out[out.length - 1] = { role: prev.role, content: [...asBlocks(prev.content), ...asBlocks(next.content)] };
}

function asBlocks(content: string | ApiContentBlock[]): ApiContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

// A final assistant message is a prefill (the "continue" action), and the API rejects a prefill
// that ends in whitespace.
function trimFinalAssistant(out: ApiMessageParam[]): void {
  const last = out.at(-1);
  if (last?.role !== 'assistant' || typeof last.content === 'string') return;
  const tail = last.content.at(-1);
  if (tail?.type !== 'text' || typeof tail.text !== 'string') return;
  const text = tail.text.trimEnd();
  // Whitespace-only text blocks were never added, so something is left after the trim.
  if (text !== tail.text)
    out[out.length - 1] = {
      role: 'assistant',
      content: [...last.content.slice(0, -1), { type: 'text', text }],
    };
}
