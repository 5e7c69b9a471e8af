// The desktop app's IPC contract: channel names (`domain:action`), each request channel's payload
// and result, the envelope that carries typed errors across, and the bridge the preload exposes as
// `window.sluice`. Types and string constants only — no zod — so the sandboxed preload bundle stays
// small. The per-turn stream travels on a MessagePort; its messages are in port-protocol.ts.
import type { AnswerError } from './errors';
import type {
  Conversation,
  ConversationParams,
  ConversationSummary,
  ExportFile,
  ExportRequest,
  ImportRequest,
  ImportResult,
  LiveTurnRef,
  SearchRequest,
  SearchResults,
  McpOverview,
  Metrics,
  ModelList,
  ModelsRequest,
  RelayEvent,
  SettingsPatch,
  SettingsView,
  StartTurnRequest,
  ToolDecision,
} from './protocol';

/** Request/response channels (ipcRenderer.invoke → ipcMain.handle), with payload and result. */
export type InvokeMap = {
  'conversations:list': { payload: null; result: ConversationSummary[] };
  'conversations:get': { payload: { id: string }; result: Conversation };
  'conversations:rename': { payload: { id: string; title: string }; result: ConversationSummary };
  'conversations:configure': {
    payload: { id: string; params: ConversationParams };
    result: ConversationParams;
  };
  'conversations:delete': { payload: { id: string }; result: null };
  /** A version of a message put on screen, or a message deleted with its branch: the conversation now. */
  'conversations:select-version': { payload: { id: string; messageId: string }; result: Conversation };
  'conversations:delete-message': { payload: { id: string; messageId: string }; result: Conversation };
  'conversations:pin': { payload: { id: string; pinned: boolean }; result: ConversationSummary };
  'conversations:export': { payload: ExportRequest; result: ExportFile };
  'conversations:import': { payload: ImportRequest; result: ImportResult };
  'conversations:search': { payload: SearchRequest; result: SearchResults };
  'settings:get': { payload: null; result: SettingsView };
  'settings:update': { payload: SettingsPatch; result: SettingsView };
  /** The key goes to the main process only; the reply says whether one is set, never what it is. */
  'settings:set-key': { payload: { key: string | null; provider?: string }; result: SettingsView };
  /** A provider's models, or a sentence saying what to fix (Test connection, the model picker). */
  'models:list': { payload: ModelsRequest; result: ModelList };
  /** The turns the main process is running (a reloaded window re-attaches to them). */
  'turns:list': { payload: null; result: LiveTurnRef[] };
  /** The MCP servers with their status; restart one on demand. */
  'mcp:overview': { payload: null; result: McpOverview };
  'mcp:restart': { payload: { name: string }; result: McpOverview };
  /** The window's own numbers for a finished turn, kept with its stored answer. */
  'conversations:window-metrics': {
    payload: { id: string; turnId: string; metrics: Metrics };
    result: null;
  };
};
export type InvokeChannel = keyof InvokeMap;
export type InvokePayload<C extends InvokeChannel> = InvokeMap[C]['payload'];
export type InvokeResult<C extends InvokeChannel> = InvokeMap[C]['result'];

export const IPC_CHANNELS = {
  listConversations: 'conversations:list',
  getConversation: 'conversations:get',
  renameConversation: 'conversations:rename',
  configureConversation: 'conversations:configure',
  deleteConversation: 'conversations:delete',
  selectVersion: 'conversations:select-version',
  deleteMessage: 'conversations:delete-message',
  exportConversations: 'conversations:export',
  importConversations: 'conversations:import',
  searchMessages: 'conversations:search',
  getSettings: 'settings:get',
  updateSettings: 'settings:update',
  setApiKey: 'settings:set-key',
  listModels: 'models:list',
  mcpOverview: 'mcp:overview',
  restartMcpServer: 'mcp:restart',
  recordWindowMetrics: 'conversations:window-metrics',
  pinConversation: 'conversations:pin',
  /**
   * ipcRenderer.postMessage(channel, request, [port]): starts a turn whose relay events come back on
   * the transferred port (see port-protocol.ts). Not an invoke: invoke cannot carry a port.
   */
  startTurn: 'turns:start',
  listLiveTurns: 'turns:list',
  /**
   * ipcRenderer.postMessage(channel, { turnId }, [port]): re-attaches a reloaded window to a turn
   * still running — its events so far (or a snapshot), then live, on the fresh port.
   */
  attachTurn: 'turns:attach',
} as const satisfies Record<string, InvokeChannel | 'turns:start' | 'turns:attach'>;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  'conversations:list',
  'conversations:get',
  'conversations:rename',
  'conversations:configure',
  'conversations:delete',
  'conversations:select-version',
  'conversations:delete-message',
  'conversations:export',
  'conversations:import',
  'conversations:search',
  'settings:get',
  'settings:update',
  'settings:set-key',
  'models:list',
  'turns:list',
  'mcp:overview',
  'mcp:restart',
  'conversations:window-metrics',
  'conversations:pin',
];

/**
 * ipcMain.handle would turn a thrown error into a bare "Error invoking remote method" string, and
 * contextBridge copies errors without their fields, so results travel as values: the shared error
 * (errors.ts).
 */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: AnswerError };

export type TurnControl = {
  abort(): void;
  /** The person's answer to an MCP call that waits (sent on the turn's port). */
  decideTool(toolUseId: string, decision: ToolDecision): void;
};

/**
 * What the preload exposes as `window.sluice`. It mirrors ChatClient, except that contextBridge
 * drops promises nested inside returned objects, so startTurn returns only `abort` and the
 * renderer rebuilds turnId/done from the events (src/renderer/src/api/ipc.ts: createIpcClient).
 */
export interface SluiceBridge {
  startTurn(request: StartTurnRequest, onEvent: (event: RelayEvent) => void): TurnControl;
  listConversations(): Promise<IpcResult<ConversationSummary[]>>;
  getConversation(id: string): Promise<IpcResult<Conversation>>;
  renameConversation(id: string, title: string): Promise<IpcResult<ConversationSummary>>;
  configureConversation(id: string, params: ConversationParams): Promise<IpcResult<ConversationParams>>;
  deleteConversation(id: string): Promise<IpcResult<null>>;
  selectVersion(id: string, messageId: string): Promise<IpcResult<Conversation>>;
  deleteMessage(id: string, messageId: string): Promise<IpcResult<Conversation>>;
  exportConversations(request: ExportRequest): Promise<IpcResult<ExportFile>>;
  importConversations(request: ImportRequest): Promise<IpcResult<ImportResult>>;
  searchMessages(request: SearchRequest): Promise<IpcResult<SearchResults>>;
  getSettings(): Promise<IpcResult<SettingsView>>;
  updateSettings(patch: SettingsPatch): Promise<IpcResult<SettingsView>>;
  setApiKey(key: string | null, provider?: string): Promise<IpcResult<SettingsView>>;
  listModels(request: ModelsRequest): Promise<IpcResult<ModelList>>;
  /** A turn still running in the main process, followed on a fresh port (after a reload). */
  attachTurn(turnId: string, onEvent: (event: RelayEvent) => void): TurnControl;
  listLiveTurns(): Promise<IpcResult<LiveTurnRef[]>>;
  mcpOverview(): Promise<IpcResult<McpOverview>>;
  restartMcpServer(name: string): Promise<IpcResult<McpOverview>>;
  recordWindowMetrics(id: string, turnId: string, metrics: Metrics): Promise<IpcResult<null>>;
  pinConversation(id: string, pinned: boolean): Promise<IpcResult<ConversationSummary>>;
}
