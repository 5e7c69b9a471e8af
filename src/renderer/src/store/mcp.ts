// The MCP servers as Settings lists them: the overview from the main process (status, the stderr
// tail of a failed one, the config file's problem), restart on demand, and saving the servers a
// person pasted or removed. The main process validates and spawns; the page only proposes.
import type { McpOverview, McpServers } from '../../../shared/protocol';
import type { AppSlice, AppState, StoreDeps } from './types';

export type McpSlice = {
  mcp: McpOverview | null;
  /** Why the overview or the last change failed, in words a person acts on. */
  mcpError: string | null;
  /**
   * The MCP servers turned off for the chat on screen, as the person just set them; null: the
   * conversation's own (`Conversation.mcpOff`), else every server on. The next request carries it
   * and the main process keeps it on the conversation.
   */
  pickedMcpOff: string[] | null;
  setMcpServerOn(name: string, on: boolean): void;
  loadMcp(): Promise<void>;
  restartMcpServer(name: string): Promise<void>;
  /** Saves the whole set of Settings servers; resolves with the refusal's sentence, or null. */
  saveMcpServers(servers: McpServers): Promise<string | null>;
};

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The MCP servers turned off for the chat on screen. */
export function currentMcpOff(s: AppState): string[] {
  return s.pickedMcpOff ?? s.active?.mcpOff ?? [];
}

export const createMcpSlice =
  ({ client }: StoreDeps): AppSlice<McpSlice> =>
  (set, get) => ({
    mcp: null,
    mcpError: null,
    pickedMcpOff: null,
    setMcpServerOn(name, on) {
      const off = currentMcpOff(get()).filter((n) => n !== name);
      set({ pickedMcpOff: on ? off : [...off, name].sort() });
    },
    async loadMcp() {
      if (!client.mcpOverview) return;
      try {
        set({ mcp: await client.mcpOverview(), mcpError: null });
      } catch (err) {
        set({ mcpError: `Could not list the MCP servers: ${messageOf(err)}` });
      }
    },
    async restartMcpServer(name) {
      if (!client.restartMcpServer) return;
      set({
        mcp: get().mcp && {
          ...get().mcp!,
          servers: get().mcp!.servers.map((s) => (s.name === name ? { ...s, status: 'starting' } : s)),
        },
      });
      try {
        set({ mcp: await client.restartMcpServer(name), mcpError: null });
      } catch (err) {
        set({ mcpError: `Could not restart ${name}: ${messageOf(err)}` });
      }
    },
    async saveMcpServers(servers) {
      try {
        set({ settings: await client.updateSettings({ mcpServers: servers }) });
        await get().loadMcp();
        return null;
      } catch (err) {
        return messageOf(err);
      }
    },
  });
