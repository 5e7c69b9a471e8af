// The desktop app's IPC contract: channel names (`domain:action`), each request channel's payload
// and result, the envelope that carries typed errors across, and the bridge the preload exposes as
// `window.sluice`. Types and string constants only — no zod — so the sandboxed preload bundle stays
// small. The per-turn stream travels on a MessagePort; its messages are in port-protocol.ts.
import type { AnswerError } from './errors';
import type {
  Conversation,
  ConversationSummary,
  Metrics,
  ModelList,
  ModelsRequest,
  RelayEvent,
  SettingsPatch,
  SettingsView,
  StartTurnRequest,
} from './protocol';

/** Request/response channels (ipcRenderer.invoke → ipcMain.handle), with payload and result. */
export type InvokeMap = {
  'conversations:list': { payload: null; result: ConversationSummary[] };
  'conversations:get': { payload: { id: string }; result: Conversation };
  'conversations:rename': { payload: { id: string; title: string }; result: ConversationSummary };
  'conversations:delete': { payload: { id: string }; result: null };
  'settings:get': { payload: null; result: SettingsView };
  'settings:update': { payload: SettingsPatch; result: SettingsView };
  /** The key goes to the main process only; the reply says whether one is set, never what it is. */
  'settings:set-key': { payload: { key: string | null; provider?: string }; result: SettingsView };
  /** A provider's models, or a sentence saying what to fix (Test connection, the model picker). */
  'models:list': { payload: ModelsRequest; result: ModelList };
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
  deleteConversation: 'conversations:delete',
  getSettings: 'settings:get',
  updateSettings: 'settings:update',
  setApiKey: 'settings:set-key',
  listModels: 'models:list',
  recordWindowMetrics: 'conversations:window-metrics',
  /**
   * ipcRenderer.postMessage(channel, request, [port]): starts a turn whose relay events come back on
   * the transferred port (see port-protocol.ts). Not an invoke: invoke cannot carry a port.
   */
  startTurn: 'turns:start',
} as const satisfies Record<string, InvokeChannel | 'turns:start'>;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  'conversations:list',
  'conversations:get',
  'conversations:rename',
  'conversations:delete',
  'settings:get',
  'settings:update',
  'settings:set-key',
  'models:list',
  'conversations:window-metrics',
];

/**
 * ipcMain.handle would turn a thrown error into a bare "Error invoking remote method" string, and
 * contextBridge copies errors without their fields, so results travel as values: the shared error
 * (errors.ts).
 */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: AnswerError };

export type TurnControl = { abort(): void };

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
  deleteConversation(id: string): Promise<IpcResult<null>>;
  getSettings(): Promise<IpcResult<SettingsView>>;
  updateSettings(patch: SettingsPatch): Promise<IpcResult<SettingsView>>;
  setApiKey(key: string | null, provider?: string): Promise<IpcResult<SettingsView>>;
  listModels(request: ModelsRequest): Promise<IpcResult<ModelList>>;
  recordWindowMetrics(id: string, turnId: string, metrics: Metrics): Promise<IpcResult<null>>;
}
