// The conversations list and the one conversation on screen. The main process owns storage; this
// slice only mirrors what the client returns.
import type {
  Conversation,
  ConversationSummary,
  ExportFile,
  ExportRequest,
  ImportResult,
  SearchResults,
} from '../../../shared/protocol';
import { selectVersion } from '../../../shared/versions';
import type { AppSlice, StoreDeps } from './types';

export type ConversationsSlice = {
  conversations: ConversationSummary[];
  listError: string | null;
  activeId: string | null;
  active: Conversation | null;
  loadError: string | null;
  loadConversations(): Promise<void>;
  /**
   * The page's first loads (settings, the list, turns still running), once per store: the window's
   * start (start.ts) calls it before React is even evaluated, so the list is on its way meanwhile;
   * App calls it too (a test's store, where it starts there). Resolves once the list is in the
   * store or its error is (never rejects); every call answers the first call's promise.
   */
  boot(): Promise<void>;
  openConversation(id: string): Promise<void>;
  newChat(): void;
  /** Resolves with an error sentence, or null when the title was saved. */
  renameConversation(id: string, title: string): Promise<string | null>;
  deleteConversation(id: string): Promise<string | null>;
  /** Puts a version of a message of the chat on screen (at once; the main process keeps it). */
  selectVersion(messageId: string): Promise<string | null>;
  /** Deletes a message of the chat on screen with its branch below it; an error sentence, or null. */
  deleteMessage(messageId: string): Promise<string | null>;
  /** Pins to the top of the list (or unpins); resolves with an error sentence, or null. */
  pinConversation(id: string, pinned: boolean): Promise<string | null>;
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
    let booted: Promise<void> | null = null;
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

      boot() {
        if (booted) return booted;
        const { loadSettings, resumeTurns } = get();
        void loadSettings();
        booted = get().loadConversations();
        // Turns still running in the main process (this page reloaded) stream on here.
        void resumeTurns();
        return booted;
      },

      async openConversation(id) {
        const ticket = ++opening;
        set({
          activeId: id,
          loadError: null,
          ...(get().active?.id === id
            ? {}
            : { active: null, pickedModel: null, pickedMcpOff: null, draftParams: null, draftPreset: null }),
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
          pickedMcpOff: null,
          draftParams: null,
          draftPreset: null,
        });
      },

      async renameConversation(id, title) {
        // The schema comes with the protocol's zod, fetched on the first rename.
        const { RenameSchema } = await import('../../../shared/protocol');
        const parsed = RenameSchema.safeParse({ title });
        if (!parsed.success) return parsed.error.issues[0]?.message ?? 'That title cannot be used.';
        try {
          const saved = await client.renameConversation(id, parsed.data.title);
          set((s) => ({
            conversations: s.conversations.map((c) => (c.id === id ? saved : c)),
            active: s.active?.id === id ? { ...s.active, title: saved.title } : s.active,
          }));
          return null;
        } catch (err) {
          return `Could not rename: ${messageOf(err)}`;
        }
      },

      async pinConversation(id, pinned) {
        try {
          const saved = await client.pinConversation(id, pinned);
          set((s) => ({
            conversations: s.conversations.map((c) => (c.id === id ? saved : c)),
          }));
          return null;
        } catch (err) {
          return `Could not ${pinned ? 'pin' : 'unpin'}: ${messageOf(err)}`;
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

      async selectVersion(messageId) {
        const before = get().active;
        if (!before) return 'No conversation is open.';
        // Shown at once: the path is the page's to compute; the main process stores the choice.
        const shown = { ...before };
        if (!selectVersion(shown, messageId)) return 'That message is no longer in this conversation.';
        // A read of this conversation still under way (a search hit opens it) must not land over this.
        opening++;
        set({ active: shown });
        try {
          const stored = await client.selectVersion(before.id, messageId);
          if (get().active === shown) set({ active: stored });
          return null;
        } catch (err) {
          if (get().active === shown) set({ active: before });
          return `Could not switch versions: ${messageOf(err)}`;
        }
      },

      async deleteMessage(messageId) {
        const id = get().activeId;
        if (!id) return 'No conversation is open.';
        try {
          const stored = await client.deleteMessage(id, messageId);
          opening++;
          if (get().activeId === id) set({ active: stored });
        } catch (err) {
          return `Could not delete: ${messageOf(err)}`;
        }
        await get().loadConversations();
        return null;
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
