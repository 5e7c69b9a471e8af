// Export and import. A conversation goes out as Markdown (to read: roles, thinking folded, tool calls
// and their results) or as JSON (lossless, the stored shape in an envelope); all of them go out as
// one JSON backup. Import takes a backup, one conversation (in its envelope, or a file copied out of
// the data directory) or a ChatGPT data export (`conversations.json`), validates the whole file
// before anything is stored, and never replaces a stored conversation: one whose id is taken comes
// in as a copy with a new id.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConversationParamsSchema } from '../../shared/protocol';
import { createMessage } from '../../shared/accumulate';
import type {
  AssistantMessage,
  ChatMessage,
  Conversation,
  ExportFile,
  ExportFormat,
  ExportRequest,
  ImportRequest,
  ImportResult,
} from '../../shared/protocol';
import { activePath, branchProblems, selectVersion } from '../../shared/versions';
import type { ConversationStore } from './conversations';
import { AttachmentsSchema } from '../../shared/attachment-schema';
import { attachmentsProblem, sizeLabel, typeLabel, type Attachment } from '../../shared/attachments';

export const BACKUP_FORMAT = 'sluice.backup';
export const CONVERSATION_FORMAT = 'sluice.conversation';

// ───── Export ─────

const slug = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'conversation';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function exportConversation(
  conversation: Conversation,
  format: ExportFormat,
  now = Date.now(),
): ExportFile {
  const name = `${slug(conversation.title)}-${day(conversation.createdAt)}`;
  if (format === 'markdown') {
    return { filename: `${name}.md`, type: 'text/markdown', text: markdownOf(conversation, now) };
  }
  const envelope = {
    format: CONVERSATION_FORMAT,
    version: 1,
    exportedAt: new Date(now).toISOString(),
    conversation,
  };
  return {
    filename: `${name}.sluice.json`,
    type: 'application/json',
    text: `${JSON.stringify(envelope, null, 2)}\n`,
  };
}

export function exportBackup(conversations: Conversation[], now = Date.now()): ExportFile {
  const envelope = {
    format: BACKUP_FORMAT,
    version: 1,
    exportedAt: new Date(now).toISOString(),
    conversations,
  };
  return {
    filename: `sluice-backup-${day(now)}.json`,
    type: 'application/json',
    text: `${JSON.stringify(envelope)}\n`,
  };
}

/** A fence longer than any backtick run inside, so code in the text cannot close it. */
function fenced(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}

function endingOf(message: AssistantMessage): string | null {
  if (message.outcome === null) return '_Unfinished: Sluice closed while this answer streamed._';
  if (message.outcome === 'aborted') return '_Stopped before the end._';
  if (message.outcome === 'error') return `_Ended with an error: ${message.error?.message ?? 'unknown'}_`;
  if (message.stopReason === 'max_tokens') return '_Cut off at the token limit._';
  return null;
}

function assistantMarkdown(message: AssistantMessage): string {
  const parts: string[] = [`## Assistant · ${message.model}`];
  for (const step of message.steps) {
    for (const block of step.message.blocks) {
      if (!block) continue;
      if (block.type === 'text' && block.text) parts.push(block.text);
      else if (block.type === 'thinking' && block.thinking)
        parts.push(`<details>\n<summary>Thinking</summary>\n\n${block.thinking}\n\n</details>`);
      else if (block.type === 'tool_use' || block.type === 'server_tool_use') {
        const input =
          block.input.status === 'parsed' ? JSON.stringify(block.input.value, null, 2) : block.inputJson;
        parts.push(`**Tool call: \`${block.name}\`**\n\n${fenced(input, 'json')}`);
        const result = step.toolResults.find((r) => r.toolUseId === block.id);
        if (result) parts.push(`**Result${result.isError ? ' (error)' : ''}:**\n\n${fenced(result.content)}`);
      }
    }
  }
  const ending = endingOf(message);
  if (ending) parts.push(ending);
  return parts.join('\n\n');
}

/** A user message's attachments: a line naming the files, each paste as a folded block. */
function attachmentsMarkdown(attachments: readonly Attachment[]): string[] {
  const files = attachments.flatMap((a) =>
    a.kind === 'text' ? [] : [`${a.name} (${typeLabel(a.mimeType)}, ${sizeLabel(a.size)})`],
  );
  const pastes = attachments.flatMap((a) =>
    a.kind === 'text' ? [`<details>\n<summary>${a.name}</summary>\n\n${fenced(a.text)}\n\n</details>`] : [],
  );
  return [...(files.length > 0 ? [`_Attached: ${files.join(' · ')}_`] : []), ...pastes];
}

const messageMarkdown = (message: ChatMessage) =>
  message.role === 'user'
    ? [
        '## You',
        ...attachmentsMarkdown(message.attachments ?? []),
        ...(message.text ? [message.text] : []),
      ].join('\n\n')
    : assistantMarkdown(message);

/** The conversation's own settings, before its messages: the system prompt quoted, the numbers in a line. */
function settingsMarkdown({ params }: Conversation): string[] {
  const parts: string[] = [];
  if (params?.system) parts.push(`## System prompt\n\n${params.system.replace(/^/gm, '> ')}`);
  const numbers = [
    params?.temperature !== undefined ? `temperature ${params.temperature}` : null,
    params?.maxTokens !== undefined ? `max tokens ${params.maxTokens}` : null,
  ].filter((x) => x !== null);
  if (numbers.length > 0) parts.push(`_Settings: ${numbers.join(' · ')}_`);
  return parts;
}

/** The versions on screen; the others are in the JSON export, and the header says how many. */
export function markdownOf(conversation: Conversation, now = Date.now()): string {
  const path = activePath(conversation);
  const count = path.length;
  const others = conversation.messages.length - count;
  const versions =
    others > 0 ? ` · ${others} other version${others === 1 ? '' : 's'} not shown (in the JSON export)` : '';
  const header = `# ${conversation.title}\n\n_Exported from Sluice on ${day(now)} · started ${day(conversation.createdAt)} · ${count} message${count === 1 ? '' : 's'}${versions}_`;
  return `${[header, ...settingsMarkdown(conversation), ...path.map(messageMarkdown)].join('\n\n')}\n`;
}

// ───── Import ─────

/** A file that cannot be imported as a whole; nothing of it was stored. */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

const Num = z.number().finite();
const Obj = z.looseObject({});
const ToolInput = z.union([
  z.object({ status: z.literal('streaming') }),
  z.object({ status: z.literal('parsed'), value: z.record(z.string(), z.unknown()) }),
  z.object({ status: z.literal('failed'), error: Obj }),
]);
// What the app reads of a stored block; anything else a block carries is kept as it is.
const Block = z.union([
  z.null(),
  z.looseObject({ type: z.literal('text'), text: z.string() }),
  z.looseObject({ type: z.literal('thinking'), thinking: z.string() }),
  z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() }),
  z.looseObject({
    type: z.enum(['tool_use', 'server_tool_use']),
    id: z.string(),
    name: z.string(),
    inputJson: z.string(),
    input: ToolInput,
    parseAttempts: Num,
  }),
  z.looseObject({ type: z.literal('opaque'), blockType: z.string(), raw: Obj }),
]);
const Step = z.looseObject({
  message: z.looseObject({ blocks: z.array(Block), usage: Obj.optional() }),
  toolResults: z.array(
    z.looseObject({ toolUseId: z.string(), name: z.string(), content: z.string(), isError: z.boolean() }),
  ),
});
const ParentId = z.string().min(1).nullable().optional();
const Message = z.discriminatedUnion('role', [
  z
    .looseObject({
      id: z.string().min(1),
      parentId: ParentId,
      role: z.literal('user'),
      text: z.string(),
      createdAt: Num,
      attachments: AttachmentsSchema.optional(),
    })
    // Checked like a message sent now: each file's bytes are what it says, within the limits.
    .superRefine((m, ctx) => {
      const problem = m.attachments ? attachmentsProblem(m.attachments) : null;
      if (problem) ctx.addIssue({ code: 'custom', path: ['attachments'], message: problem });
    }),
  z.looseObject({
    id: z.string().min(1),
    parentId: ParentId,
    role: z.literal('assistant'),
    turnId: z.string(),
    createdAt: Num,
    steps: z.array(Step),
    outcome: z.enum(['complete', 'aborted', 'error']).nullable(),
    stopReason: z.string().nullable(),
    error: Obj.nullable(),
    metrics: Obj.nullable(),
    provider: z.string(),
    model: z.string(),
  }),
]);
const ConversationSchema = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'An id is 1–100 letters, digits, _ or -.'),
  title: z.string().max(500),
  createdAt: Num,
  updatedAt: Num,
  messages: z.array(Message),
  activeChild: z.record(z.string(), z.string()).optional(),
  // A turn sends these as they are, so a bad value is refused here rather than by the provider.
  params: ConversationParamsSchema.optional(),
});
const BackupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(1),
  conversations: z.array(ConversationSchema),
});
const EnvelopeSchema = z.object({
  format: z.literal(CONVERSATION_FORMAT),
  version: z.literal(1),
  conversation: ConversationSchema,
});

// A ChatGPT data export: conversations whose messages are a tree (`mapping`), the branch on screen
// ending at `current_node`.
const ChatGptNode = z.looseObject({
  parent: z.string().nullable().optional(),
  message: z
    .looseObject({
      author: z.looseObject({ role: z.string() }),
      create_time: Num.nullable().optional(),
      content: z.looseObject({ content_type: z.string(), parts: z.array(z.unknown()).optional() }),
    })
    .nullable()
    .optional(),
});
const ChatGptConversation = z.looseObject({
  title: z.string().nullable().optional(),
  create_time: Num.nullable().optional(),
  update_time: Num.nullable().optional(),
  mapping: z.record(z.string(), ChatGptNode),
  current_node: z.string().nullable().optional(),
});

export type ImportPlan = { conversations: Conversation[]; notes: string[]; source: string };

const issuesOfZod = (error: z.ZodError, prefix: string) =>
  error.issues.slice(0, 8).map((i) => ({
    path: [prefix, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))]
      .join('')
      .replace(/^\./, ''),
    // zod's "expected number, received undefined" is a field that is not there.
    message: i.message.replace(
      /^Invalid input: expected (\w+), received undefined$/,
      'missing (it must be a $1)',
    ),
  }));

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string, prefix: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = issuesOfZod(parsed.error, prefix);
  throw new ImportError(
    `This ${what} could not be imported: ${issues.map((i) => `${i.path || 'the file'}: ${i.message}`).join('; ')}. Nothing was imported.`,
    issues,
  );
}

/** Reads an import file into the conversations it holds; throws an ImportError for a bad one. */
export function planImport(text: string, filename = 'the file', now = Date.now()): ImportPlan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ImportError(
      `${filename} is not JSON (${err instanceof Error ? err.message : String(err)}). Import takes a Sluice backup or conversation (.json) or ChatGPT's conversations.json; nothing was imported.`,
    );
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (format === BACKUP_FORMAT) {
    const backup = parseWith(BackupSchema, value, 'backup', '');
    return sluicePlan(backup.conversations as Conversation[], 'backup', 'Sluice backup');
  }
  if (format === CONVERSATION_FORMAT) {
    const one = parseWith(EnvelopeSchema, value, 'conversation', '');
    return sluicePlan([one.conversation as Conversation], 'conversation', 'Sluice conversation');
  }
  const isChatGpt = (v: unknown) => typeof v === 'object' && v !== null && 'mapping' in v;
  if (Array.isArray(value) && value.length > 0 && value.every(isChatGpt)) return fromChatGpt(value, now);
  if (isChatGpt(value)) return fromChatGpt([value], now);
  if (typeof value === 'object' && value !== null && 'messages' in value) {
    const one = parseWith(ConversationSchema, value, 'conversation', '');
    return sluicePlan([one as Conversation], 'conversation', 'Sluice conversation file');
  }
  throw new ImportError(
    `${filename} is JSON, but not a Sluice backup, a Sluice conversation or a ChatGPT export (conversations.json). Nothing was imported.`,
  );
}

/** Sluice conversations whose versions form a tree (shared/versions.ts), or an ImportError naming what does not. */
function sluicePlan(conversations: Conversation[], what: string, source: string): ImportPlan {
  const issues = conversations.flatMap((c, i) =>
    branchProblems(c).map((message) => ({
      path: conversations.length > 1 ? `conversations[${i}]` : 'conversation',
      message: `"${c.title}": ${message}`,
    })),
  );
  if (issues.length > 0)
    throw new ImportError(
      `This ${what} could not be imported: its messages are not one tree of versions (${issues
        .slice(0, 4)
        .map((i) => i.message)
        .join('; ')}). Nothing was imported; export it again from Sluice, or fix those messages.`,
      issues,
    );
  return { conversations, notes: [], source };
}

const textOfParts = (parts: unknown[] | undefined) =>
  (parts ?? []).filter((p): p is string => typeof p === 'string').join('\n');

type ChatGptNodeValue = z.infer<typeof ChatGptNode>;

/** What does not make a tree in one ChatGPT conversation: a parent not in it, a cycle, a current node not in it. */
function chatGptProblem(nodes: Record<string, ChatGptNodeValue>, current: string | null): string | null {
  const done = new Set<string>();
  for (const start of Object.keys(nodes)) {
    const chain = new Set<string>();
    for (let at: string | null = start; at !== null && !done.has(at);) {
      if (chain.has(at)) return `its messages around "${at}" are each other's parents (a cycle)`;
      chain.add(at);
      const parent: string | null = nodes[at]?.parent ?? null;
      if (parent !== null && !(parent in nodes))
        return `the parent "${parent}" of message "${at}" is not in its mapping`;
      at = parent;
    }
    for (const id of chain) done.add(id);
  }
  if (current !== null && !(current in nodes)) return `its current_node "${current}" is not in its mapping`;
  return null;
}

function chatGptMessage(id: string, m: NonNullable<ChatGptNodeValue['message']>, text: string, at: number) {
  if (m.author.role === 'user') return { id: randomUUID(), role: 'user' as const, text, createdAt: at };
  const message: AssistantMessage = {
    id: randomUUID(),
    role: 'assistant',
    turnId: `chatgpt-${id}`,
    createdAt: at,
    steps: [
      {
        message: {
          ...createMessage(),
          blocks: [{ type: 'text', text, citations: [] }],
          stoppedBlocks: [0],
          stopReason: 'end_turn',
          started: true,
          finished: true,
        },
        toolResults: [],
      },
    ],
    outcome: 'complete',
    stopReason: 'end_turn',
    error: null,
    metrics: null,
    provider: 'openai',
    model: 'chatgpt',
  };
  return message;
}

/**
 * ChatGPT's `mapping` is a tree too: every node comes in as a message with its parent (nodes with
 * no text — the system message, tool runs, images — are left out, their children hung on the
 * nearest message above), versions in the order they were written, and the branch ChatGPT showed
 * last (`current_node`) is the one on screen.
 */
function fromChatGpt(items: unknown[], now: number): ImportPlan {
  const conversations: Conversation[] = [];
  let versions = 0;
  let skippedParts = 0;
  items.forEach((item, index) => {
    const c = parseWith(ChatGptConversation, item, 'ChatGPT export', `[${index}]`);
    const nodes = c.mapping;
    const title = c.title?.trim() || 'Imported from ChatGPT';
    const problem = chatGptProblem(nodes, c.current_node ?? null);
    if (problem)
      throw new ImportError(
        `This ChatGPT export could not be imported: conversation [${index}] "${title}": ${problem}. Nothing was imported; export it from ChatGPT again.`,
        [{ path: `[${index}].mapping`, message: problem }],
      );
    const createdAt = (c.create_time ?? now / 1000) * 1000;
    const timeOf = (id: string) => nodes[id]?.message?.create_time ?? Number.POSITIVE_INFINITY;
    const childrenOf = new Map<string | null, string[]>();
    for (const [id, node] of Object.entries(nodes)) {
      const key = node.parent ?? null;
      childrenOf.set(key, [...(childrenOf.get(key) ?? []), id]);
    }
    // Parents before children; versions at a point oldest first.
    const messages: ChatMessage[] = [];
    const keptAbove = new Map<string, string | null>();
    const queue: [string, string | null][] = (childrenOf.get(null) ?? []).map((id) => [id, null]);
    for (let i = 0; i < queue.length; i++) {
      const [id, above] = queue[i]!;
      const m = nodes[id]?.message;
      const text = m ? textOfParts(m.content.parts) : '';
      let kept = above;
      if (m && m.content.content_type !== 'text' && !text) skippedParts++;
      else if (m && text.trim() && (m.author.role === 'user' || m.author.role === 'assistant')) {
        const message = chatGptMessage(id, m, text, (m.create_time ?? createdAt / 1000) * 1000);
        messages.push({ ...message, parentId: above });
        kept = message.id;
      }
      keptAbove.set(id, kept);
      const kids = [...(childrenOf.get(id) ?? [])].sort((a, b) => timeOf(a) - timeOf(b));
      for (const kid of kids) queue.push([kid, kept]);
    }
    const conversation: Conversation = {
      id: randomUUID(),
      title,
      createdAt,
      updatedAt: (c.update_time ?? createdAt / 1000) * 1000,
      messages,
      activeChild: {},
    };
    // On screen: the branch ChatGPT showed last, else the newest one.
    const current = keptAbove.get(c.current_node ?? '') ?? null;
    if (current) selectVersion(conversation, current);
    versions += messages.length - activePath(conversation).length;
    conversations.push(conversation);
  });
  const notes: string[] = [];
  if (versions > 0)
    notes.push(
      `${versions} edited or regenerated message${versions === 1 ? '' : 's'} on other branches ${versions === 1 ? 'was' : 'were'} kept as versions: the branch each conversation showed last is on screen, the others are a click away (‹ ›).`,
    );
  if (skippedParts > 0)
    notes.push(
      `${skippedParts} message${skippedParts === 1 ? '' : 's'} with no text (images, files, code runs) ${skippedParts === 1 ? 'was' : 'were'} left out.`,
    );
  return { conversations, notes, source: 'ChatGPT export' };
}

// ───── Both faces ─────

/** What `exportConversations` answers on every face. */
export async function exportFrom(store: ConversationStore, request: ExportRequest): Promise<ExportFile> {
  if (request.id !== null) return exportConversation(await store.get(request.id), request.format);
  const all = await Promise.all((await store.list()).map((s) => store.get(s.id)));
  return exportBackup(all);
}

/** What `importConversations` answers on every face: the whole file checked, then stored, or nothing. */
export async function importInto(store: ConversationStore, request: ImportRequest): Promise<ImportResult> {
  const plan = planImport(request.text, request.filename || 'the file');
  if (plan.conversations.length === 0)
    throw new ImportError(`${request.filename || 'The file'} holds no conversations; nothing was imported.`);
  const stored = await store.importAll(plan.conversations);
  return {
    source: plan.source,
    imported: stored.map(({ stored: c, copyOf }) => ({
      id: c.id,
      title: c.title,
      ...(copyOf ? { copyOf } : {}),
    })),
    notes: plan.notes,
  };
}
