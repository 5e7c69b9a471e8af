// A request in the Messages API's shape (what the relay builds for every wire) turned into a Chat
// Completions request: the system prompt becomes a system message, tool results become `tool`
// messages right after the assistant message that holds their calls, tool calls carry their
// input as a JSON string, and thinking goes back only where a dialect asks for it (DeepSeek's
// `reasoning_content`). Attached images become `image_url` parts and PDFs `file` parts, both as
// data URLs. What has no Chat Completions form (redacted thinking, server tool blocks) is dropped
// rather than sent and rejected.
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import type { OpenAIDialect, RequestParams } from './types';

type MessagesParams = RequestParams;
type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ChatUserPart = OpenAI.Chat.Completions.ChatCompletionContentPart;
type ChatTool = OpenAI.Chat.Completions.ChatCompletionTool;
type ChatToolCall = OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
/** DeepSeek's thinking mode reads the reasoning of earlier assistant messages back from here. */
type AssistantMessage = OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam & {
  reasoning_content?: string;
};

export type ConvertOptions = { dialect?: OpenAIDialect | undefined };

/** Plain text of a system prompt or a tool result: a string, or its text blocks joined. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: unknown) => {
      const block = b as { type?: unknown; text?: unknown } | null;
      return block?.type === 'text' && typeof block.text === 'string' ? block.text : '';
    })
    .filter((t) => t !== '')
    .join('\n\n');
}

/** The conversation as Chat Completions messages, the system prompt first. */
export function toChatMessages(params: MessagesParams, options: ConvertOptions = {}): ChatMessage[] {
  const out: ChatMessage[] = [];
  const system = textOf(params.system);
  if (system.trim() !== '') out.push({ role: 'system', content: system });
  for (const message of params.messages) {
    if (message.role === 'user') pushUser(out, message.content);
    else pushAssistant(out, message.content, options);
  }
  return out;
}

function pushUser(out: ChatMessage[], content: Anthropic.MessageParam['content']): void {
  if (typeof content === 'string') {
    if (content !== '') out.push({ role: 'user', content });
    return;
  }
  // Tool results first, in order: each must directly follow the assistant message with its call.
  const texts: string[] = [];
  const parts: ChatUserPart[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') {
      const text = textOf(block.content);
      out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: text });
    } else if (block.type === 'text' && block.text !== '') {
      texts.push(block.text);
      parts.push({ type: 'text', text: block.text });
    } else if (block.type === 'image' && block.source.type === 'base64') {
      const url = `data:${block.source.media_type};base64,${block.source.data}`;
      parts.push({ type: 'image_url', image_url: { url } });
    } else if (block.type === 'document' && block.source.type === 'base64') {
      // Chat Completions' `file` part (OpenAI, OpenRouter); the service refuses a PDF for a
      // preset that cannot read one before the request is built (shared/attachments.ts).
      const file_data = `data:${block.source.media_type};base64,${block.source.data}`;
      parts.push({ type: 'file', file: { filename: block.title ?? 'document.pdf', file_data } });
    }
  }
  // Text alone stays one string, as every compatible server reads it; attachments need parts.
  if (parts.length > texts.length) out.push({ role: 'user', content: parts });
  else if (texts.length > 0) out.push({ role: 'user', content: texts.join('\n\n') });
}

function pushAssistant(
  out: ChatMessage[],
  content: Anthropic.MessageParam['content'],
  options: ConvertOptions,
): void {
  if (typeof content === 'string') {
    if (content !== '') out.push({ role: 'assistant', content });
    return;
  }
  let text = '';
  let reasoning = '';
  const calls: ChatToolCall[] = [];
  for (const block of content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'thinking') reasoning += block.thinking;
    else if (block.type === 'tool_use')
      calls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
  }
  const withReasoning = options.dialect === 'deepseek' && reasoning !== '';
  if (text === '' && calls.length === 0 && !withReasoning) return;
  const message: AssistantMessage = {
    role: 'assistant',
    content: text === '' && calls.length > 0 ? null : text,
  };
  if (calls.length > 0) message.tool_calls = calls;
  if (withReasoning) message.reasoning_content = reasoning;
  out.push(message);
}

/** Messages API tool definitions as Chat Completions function tools (server tools have no form). */
export function toChatTools(tools: MessagesParams['tools']): ChatTool[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  const out: ChatTool[] = [];
  for (const tool of tools) {
    if (!('input_schema' in tool)) continue;
    out.push({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.input_schema,
      },
    });
  }
  return out.length > 0 ? out : undefined;
}

/** Every tool id the request's history already holds (calls and results): a new call must not reuse one. */
export function toolIdsOf(messages: MessagesParams['messages']): Set<string> {
  const ids = new Set<string>();
  for (const message of messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type === 'tool_use') ids.add(block.id);
      else if (block.type === 'tool_result') ids.add(block.tool_use_id);
    }
  }
  return ids;
}

/** The whole Chat Completions request body (streaming, with the usage chunk). */
export function toChatCompletionRequest(
  params: MessagesParams,
  options: ConvertOptions = {},
): OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming {
  const tools = toChatTools(params.tools);
  return {
    model: params.model,
    messages: toChatMessages(params, options),
    ...(tools ? { tools } : {}),
    // OpenAI's own API has replaced max_tokens with max_completion_tokens (its reasoning models
    // reject the old name); most compatible servers know only max_tokens.
    ...(options.dialect === 'openai'
      ? { max_completion_tokens: params.max_tokens }
      : { max_tokens: params.max_tokens }),
    ...(params.stop_sequences && params.stop_sequences.length > 0 ? { stop: params.stop_sequences } : {}),
    ...(typeof params.temperature === 'number' ? { temperature: params.temperature } : {}),
    stream: true,
    stream_options: { include_usage: true },
  };
}
