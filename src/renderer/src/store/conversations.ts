// The conversations list and the one conversation on screen. The main process owns storage; this
// slice only mirrors what the client returns.
import {
  RenameSchema,
  type Conversation,
  type ConversationSummary,
  type ExportFile,
  type ExportRequest,
  type ImportResult,
  type SearchResults,
} from '../../../shared/protocol';
import type { AppSlice, StoreDeps } from './types';

export type ConversationsSlice = {
  conversations: ConversationSummary[];
  listError: string | null;
  activeId: string | null;
  active: Conversation | null;
  loadError: string | null;
  loadConversations(): Promise<void>;
  openConversation(id: string): Promise<void>;
  newChat(): void;
  /** Resolves with an error sentence, or null when the title was saved. */
  renameConversation(id: string, title: string): Promise<string | null>;
  deleteConversation(id: string): Promise<string | null>;
  /** The file to save, or the sentence saying why there is none. */
  exportConversations(
    request: ExportRequest,
  ): Promise<{ ok: true; file: ExportFile } | { ok: false; message: string }>;
  /** Every message of every conversation that matches, or the sentence saying why not. */
  searchMessages(
    query: string,
  ): Promise<{ ok: true; results: SearchResults } | { ok: false; message: string }>;
  /** Imports a file the person picked; the list shows what came in. */
  importConversations(
    filename: string,
    text: string,
  ): Promise<{ ok: true; result: ImportResult } | { ok: false; message: string }>;
};

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const createConversationsSlice =
  ({ client }: StoreDeps): AppSlice<ConversationsSlice> =>
  (set, get) => {
    // Only the last open request may land: clicking A then B must end on B.
    let opening = 0;
    return {
      conversations: [],
      listError: null,
      activeId: null,
      active: null,
      loadError: null,

      async loadConversations() {
        try {
          const list = await client.listConversations();
          set({ conversations: [...list].sort((a, b) => b.updatedAt - a.updatedAt), listError: null });
        } catch (err) {
          set({ listError: `Could not load conversations: ${messageOf(err)}` });
        }
      },

      async openConversation(id) {
        const ticket = ++opening;
        set({
          activeId: id,
          loadError: null,
          ...(get().active?.id === id
            ? {}
            : { active: null, pickedModel: null, draftParams: null, draftPreset: null }),
        });
        try {
          const conversation = await client.getConversation(id);
          if (ticket === opening) set({ active: conversation });
        } catch (err) {
          if (ticket === opening) set({ loadError: `Could not open this conversation: ${messageOf(err)}` });
        }
      },

      newChat() {
        opening++;
        set({
          activeId: null,
          active: null,
          loadError: null,
          pickedModel: null,
          draftParams: null,
          draftPreset: null,
        });
      },

      async renameConversation(id, title) {
        const parsed = RenameSchema.safeParse({ title });
        if (!parsed.success) return parsed.error.issues[0]?.message ?? 'That title cannot be used.';
        try {
          const saved = await client.renameConversation(id, parsed.data.title);
          set((s) => ({
            conversations: s.conversations.map((c) => (c.id === id ? { ...c, title: saved.title } : c)),
            active: s.active?.id === id ? { ...s.active, title: saved.title } : s.active,
          }));
          return null;
        } catch (err) {
          return `Could not rename: ${messageOf(err)}`;
        }
      },

      async exportConversations(request) {
        try {
          return { ok: true, file: await client.exportConversations(request) };
        } catch (err) {
          return { ok: false, message: `Could not export: ${messageOf(err)}` };
        }
      },

      async searchMessages(query) {
        try {
          return { ok: true, results: await client.searchMessages({ query }) };
        } catch (err) {
          return { ok: false, message: `Could not search: ${messageOf(err)}` };
        }
      },

      async importConversations(filename, text) {
        let result: ImportResult;
        try {
          result = await client.importConversations({ filename, text });
        } catch (err) {
          return { ok: false, message: messageOf(err) };
        }
        await get().loadConversations();
        return { ok: true, result };
      },

      async deleteConversation(id) {
        try {
          await client.deleteConversation(id);
        } catch (err) {
          return `Could not delete: ${messageOf(err)}`;
        }
        set((s) => ({
          conversations: s.conversations.filter((c) => c.id !== id),
          ...(s.activeId === id ? { activeId: null, active: null } : {}),
        }));
        return null;
      },
    };
  };
