// The ChatClient for the desktop app, over the preload's `window.sluice` bridge. The port protocol
// itself (acks, order, exactly one terminal) runs in the preload (shared/port-protocol.ts); here the
// TurnHandle's promises are rebuilt from the events, because contextBridge drops promises nested in
// returned objects, and IPC results are unwrapped: a refusal is thrown as the shared ApiFailure.
import { ApiFailure } from '../../../shared/errors';
import type { IpcResult, SluiceBridge, TurnControl } from '../../../shared/ipc';
import { createTurnTracker } from '../../../shared/port-protocol';
import type { ChatClient, RelayEvent, StartTurnRequest, TurnHandle } from '../../../shared/protocol';

declare global {
  interface Window {
    /** Present in the desktop app only (set by the preload). */
    sluice?: SluiceBridge;
  }
}

async function unwrap<T>(result: Promise<IpcResult<T>>): Promise<T> {
  const r = await result;
  if (r.ok) return r.value;
  throw new ApiFailure(r.error);
}

/** A turn's handle rebuilt from its events (contextBridge drops the promises). */
function tracked(
  onEvent: (event: RelayEvent) => void,
  begin: (onEvent: (event: RelayEvent) => void) => TurnControl,
): TurnHandle {
  const tracker = createTurnTracker();
  const control = begin((event) => {
    // Observed first so a throwing handler cannot leave `done` pending; its reactions run later anyway.
    tracker.observe(event);
    onEvent(event);
  });
  return {
    turnId: tracker.turnId,
    done: tracker.done,
    abort: () => control.abort(),
    decideTool: async (toolUseId, decision) => control.decideTool(toolUseId, decision),
  };
}

export function createIpcClient(bridge: SluiceBridge): ChatClient {
  return {
    startTurn: (request: StartTurnRequest, onEvent: (event: RelayEvent) => void): TurnHandle =>
      tracked(onEvent, (on) => bridge.startTurn(request, on)),
    attachTurn: (turnId, onEvent) => tracked(onEvent, (on) => bridge.attachTurn(turnId, on)),
    listLiveTurns: () => unwrap(bridge.listLiveTurns()),
    listConversations: () => unwrap(bridge.listConversations()),
    getConversation: (id) => unwrap(bridge.getConversation(id)),
    renameConversation: (id, title) => unwrap(bridge.renameConversation(id, title)),
    pinConversation: (id, pinned) => unwrap(bridge.pinConversation(id, pinned)),
    configureConversation: (id, params) => unwrap(bridge.configureConversation(id, params)),
    deleteConversation: async (id) => {
      await unwrap(bridge.deleteConversation(id));
    },
    selectVersion: (id, messageId) => unwrap(bridge.selectVersion(id, messageId)),
    deleteMessage: (id, messageId) => unwrap(bridge.deleteMessage(id, messageId)),
    exportConversations: (request) => unwrap(bridge.exportConversations(request)),
    importConversations: (request) => unwrap(bridge.importConversations(request)),
    searchMessages: (request) => unwrap(bridge.searchMessages(request)),
    getSettings: () => unwrap(bridge.getSettings()),
    mcpOverview: () => unwrap(bridge.mcpOverview()),
    restartMcpServer: (name) => unwrap(bridge.restartMcpServer(name)),
    updateSettings: (patch) => unwrap(bridge.updateSettings(patch)),
    setApiKey: (key, provider) => unwrap(bridge.setApiKey(key, provider)),
    listModels: (request) => unwrap(bridge.listModels(request)),
    recordWindowMetrics: async (id, turnId, metrics) => {
      await unwrap(bridge.recordWindowMetrics(id, turnId, metrics));
    },
  };
}

/** The desktop client when running inside the app, else null. */
export const desktopClient = (): ChatClient | null =>
  typeof window !== 'undefined' && window.sluice ? createIpcClient(window.sluice) : null;
