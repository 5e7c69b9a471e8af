// The request/response channels of the desktop face, as plain functions: each validates its payload
// (it comes from a renderer, so it is untrusted input), does one thing, and answers with an
// IpcResult — a value, or a typed error with a sentence for the person. The Electron wiring
// (src/main/electron/ipc.ts) only adds the sender check.
import { z } from 'zod';
import { issuesOf, type AnswerError } from '../../shared/errors';
import type { InvokeChannel, InvokeResult, IpcResult } from '../../shared/ipc';
import {
  ConfigureSchema,
  ExportRequestSchema,
  ImportRequestSchema,
  MessageIdSchema,
  ModelsRequestSchema,
  PinSchema,
  RenameSchema,
  SearchRequestSchema,
  WindowMetricsSchema,
  type SettingsView,
} from '../../shared/protocol';
import { ANTHROPIC_KEY, configOf, keySlotOf, type KeyStore } from '../chat/target';
import { TurnRequestError } from '../chat/errors';
import { domainError } from '../chat/errors';
import type { ChatService } from '../chat/service';
import type { ConversationStore } from '../store/conversations';
import type { SettingsStore } from '../store/settings';
import { searchOf } from '../store/search';
import { exportFrom, importInto } from '../store/transfer';

export type HandlerDeps = {
  service: ChatService;
  conversations: ConversationStore;
  settings: SettingsStore;
  keys: KeyStore;
};

export type Handlers = { [C in InvokeChannel]: (payload: unknown) => Promise<IpcResult<InvokeResult<C>>> };

const Id = z.string().min(1).max(100);
const None = z.union([z.null(), z.undefined()]);
const ByName = z.object({ name: z.string().min(1).max(100) }).strict();
const ById = z.object({ id: Id }).strict();
const ByMessage = z.object({ id: Id, messageId: MessageIdSchema }).strict();
const Rename = RenameSchema.extend({ id: Id }).strict();
const Pin = PinSchema.extend({ id: Id }).strict();
const Configure = ConfigureSchema.extend({ id: Id }).strict();
const WindowMetrics = WindowMetricsSchema.extend({ id: Id }).strict();
// SettingsStore.update validates the merged whole; here only "an object of fields" is checked.
const Patch = z.record(z.string(), z.unknown());
const SetKey = z
  .object({
    key: z
      .string()
      .trim()
      .min(1, 'The key is empty. Paste the whole key, or remove it.')
      .max(512, 'That is longer than any API key; paste the key alone.')
      .regex(/^[\x21-\x7e]+$/, 'The key contains spaces or unusual characters; paste the key alone.')
      .nullable(),
    /** An OpenAI-compatible provider's id; absent: the Anthropic key. */
    provider: z.string().min(1).max(40).optional(),
  })
  .strict();

/** The desktop face's answer to whatever a handler threw: a bad payload, a domain failure, or a bug. */
function toApiError(err: unknown): AnswerError {
  if (err instanceof z.ZodError) {
    const issues = issuesOf(err, '(payload)');
    return { type: 'invalid_request', message: issues.map((i) => i.message).join(' '), issues };
  }
  const detail = err instanceof Error ? err.message : String(err);
  return domainError(err) ?? { type: 'internal', message: `The main process could not do that: ${detail}` };
}

function handler<S extends z.ZodType, T>(schema: S, run: (payload: z.infer<S>) => Promise<T>) {
  return async (payload: unknown): Promise<IpcResult<T>> => {
    try {
      return { ok: true, value: await run(schema.parse(payload)) };
    } catch (err) {
      return { ok: false, error: toApiError(err) };
    }
  };
}

export function createHandlers({ service, conversations, settings, keys }: HandlerDeps): Handlers {
  const view = async (): Promise<SettingsView> => {
    const note = keys.note();
    return { ...(await service.settingsView()), ...(note ? { keyNote: note } : {}) };
  };
  // The full-text index starts building (or loading) now, in the background, not at the first search.
  searchOf(conversations);
  return {
    'conversations:list': handler(None, () => conversations.list()),
    'turns:list': handler(None, async () => service.listLiveTurns()),
    'conversations:get': handler(ById, ({ id }) => conversations.get(id)),
    'conversations:rename': handler(Rename, ({ id, title }) => conversations.rename(id, title)),
    'conversations:pin': handler(Pin, ({ id, pinned }) => conversations.pin(id, pinned)),
    'conversations:configure': handler(Configure, ({ id, params }) => service.configure(id, params)),
    'conversations:delete': handler(ById, async ({ id }) => {
      await conversations.delete(id);
      return null;
    }),
    'conversations:select-version': handler(ByMessage, ({ id, messageId }) =>
      service.selectVersion(id, messageId),
    ),
    'conversations:delete-message': handler(ByMessage, ({ id, messageId }) =>
      service.deleteMessage(id, messageId),
    ),
    'conversations:export': handler(ExportRequestSchema, (request) => exportFrom(conversations, request)),
    'conversations:import': handler(ImportRequestSchema, (request) => importInto(conversations, request)),
    'conversations:search': handler(SearchRequestSchema, ({ query }) =>
      searchOf(conversations).search(query),
    ),
    'settings:get': handler(None, view),
    'settings:update': handler(Patch, async (patch) => {
      await settings.update(patch);
      return view();
    }),
    'settings:set-key': handler(SetKey, async ({ key, provider }) => {
      let slot = ANTHROPIC_KEY;
      if (provider !== undefined && provider !== 'anthropic') {
        const config = configOf(await settings.get(), provider);
        if (!config)
          throw new TurnRequestError('not_found', `No provider "${provider}" is configured; save it first.`);
        slot = keySlotOf(config);
      }
      await keys.set(key, slot);
      return view();
    }),
    'models:list': handler(ModelsRequestSchema, (request) => service.listModels(request)),
    'mcp:overview': handler(None, () => service.mcpOverview()),
    'mcp:restart': handler(ByName, ({ name }) => service.restartMcpServer(name)),
    'conversations:window-metrics': handler(WindowMetrics, async ({ id, turnId, metrics }) => {
      await service.recordWindowMetrics(id, turnId, metrics);
      return null;
    }),
  };
}
