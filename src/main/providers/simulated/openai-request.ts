// A Chat Completions request body, read into the Messages API's terms so every scenario reads one
// shape: system and developer messages become the system text, an assistant's tool_calls become
// tool_use blocks, `role: "tool"` results become tool_result blocks of a user message, and a
// user's `image_url` and `file` parts become image and document blocks.
import { z } from 'zod';
import type { RequestBlock, RequestMessage, WireBody } from './types';

const Part = z.looseObject({ type: z.string(), text: z.string().optional() });
const Content = z.union([z.string(), z.array(Part), z.null()]).optional();
const ToolCall = z.looseObject({
  id: z.string(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});
const Message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: Content,
  tool_calls: z.array(ToolCall).nullish(),
  tool_call_id: z.string().optional(),
});
const Tokens = z.number().int().min(1).nullish();
const ChatBody = z.looseObject({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  max_tokens: Tokens,
  max_completion_tokens: Tokens,
  // As the real API: 0 to 2.
  temperature: z.number().min(0).max(2).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(z.unknown()).nullish(),
});

const FunctionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }),
});

/** No limit unless the request sets one, as on the real servers (the answer's own length applies). */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

const textOf = (content: z.infer<typeof Content>): string =>
  typeof content === 'string' ? content : (content ?? []).map((p) => p.text ?? '').join('');

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s;

/**
 * A user message's parts as Messages API blocks: text, `image_url` as an image block and `file`
 * as a document block, both from their data URLs (a URL it cannot read stays as it came, and
 * names nothing it received).
 */
function userBlocks(content: z.infer<typeof Content>): RequestBlock[] {
  if (!Array.isArray(content)) {
    const text = textOf(content);
    return text === '' ? [] : [{ type: 'text', text }];
  }
  return content.flatMap((part): RequestBlock[] => {
    if (part.type === 'text') return part.text ? [{ type: 'text', text: part.text }] : [];
    const url =
      part.type === 'image_url'
        ? (part['image_url'] as { url?: unknown } | undefined)?.url
        : part.type === 'file'
          ? (part['file'] as { file_data?: unknown } | undefined)?.file_data
          : undefined;
    const data = typeof url === 'string' ? DATA_URL.exec(url) : null;
    if (!data) return [part];
    const source = { type: 'base64', media_type: data[1], data: data[2] };
    return [{ type: part.type === 'file' ? 'document' : 'image', source }];
  });
}

function parsedArguments(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

/** Appends a message, merging consecutive user messages as the Messages API requires. */
function push(out: RequestMessage[], role: RequestMessage['role'], blocks: RequestBlock[]): void {
  const last = out.at(-1);
  if (role === 'user' && last?.role === 'user' && Array.isArray(last.content)) last.content.push(...blocks);
  else out.push({ role, content: blocks });
}

export function chatCompletionsBody(json: unknown): WireBody | z.ZodError {
  const body = ChatBody.safeParse(json);
  if (!body.success) return body.error;
  const system: string[] = [];
  const messages: RequestMessage[] = [];
  for (const m of body.data.messages) {
    const text = textOf(m.content);
    const textBlocks: RequestBlock[] = text === '' ? [] : [{ type: 'text', text }];
    if (m.role === 'system' || m.role === 'developer') system.push(text);
    else if (m.role === 'user') push(messages, 'user', userBlocks(m.content));
    else if (m.role === 'tool') {
      push(messages, 'user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: text }]);
    } else {
      const calls = (m.tool_calls ?? []).map((c) => ({
        type: 'tool_use',
        id: c.id,
        name: c.function.name,
        input: parsedArguments(c.function.arguments),
      }));
      push(messages, 'assistant', [...textBlocks, ...calls]);
    }
  }
  const { max_tokens, max_completion_tokens, stream, stream_options, temperature } = body.data;
  return {
    model: body.data.model,
    maxTokens: max_completion_tokens ?? max_tokens ?? UNLIMITED,
    messages,
    system: system.join('\n'),
    temperature: temperature ?? null,
    stream: stream === true,
    thinkingBudget: null,
    includeUsage: stream_options?.include_usage === true,
    tools: (body.data.tools ?? []).flatMap((t) => {
      const tool = FunctionTool.safeParse(t);
      return tool.success
        ? [{ name: tool.data.function.name, inputSchema: tool.data.function.parameters ?? {} }]
        : [];
    }),
  };
}
