// The one bridge between the page and the main process, exposed as `window.sluice`: the ChatClient
// calls and nothing else (no ipcRenderer, no channel names, no ports reach the page). Each turn gets
// a fresh MessageChannel; one end goes to the main process with the request, the other stays here
// and runs the shared port protocol (acks per batch, events in order, one terminal). Only the
// page's onEvent callback and an abort function cross the context bridge.
// Built as one CommonJS file: a sandboxed preload cannot load ES modules or other files.
import { contextBridge, ipcRenderer } from 'electron';
import {
  IPC_CHANNELS,
  type InvokeChannel,
  type InvokeMap,
  type IpcResult,
  type SluiceBridge,
} from '../shared/ipc';
import { createPortClient } from '../shared/port-protocol';
import type { RelayEvent, ToolDecision } from '../shared/protocol';

const invoke = <C extends InvokeChannel>(channel: C, payload: InvokeMap[C]['payload']) =>
  ipcRenderer.invoke(channel, payload) as Promise<IpcResult<InvokeMap[C]['result']>>;

/** The DOM MessagePort as used here (this file is type-checked with the Node project, without DOM types). */
type PortEnd = {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  addEventListener(type: 'close', listener: () => void): void;
};
const newChannel = () => new MessageChannel() as unknown as { port1: PortEnd; port2: PortEnd };

// Ports of live turns, held so they cannot be collected mid-stream.
const live = new Set<PortEnd>();

/** A turn's port, this end: the shared port protocol; the other end goes with `send`. */
function followOnPort(onEvent: (event: RelayEvent) => void, send: (port: PortEnd) => void) {
  const { port1, port2 } = newChannel();
  live.add(port1);
  const client = createPortClient(
    {
      postMessage: (message) => port1.postMessage(message),
      close: () => {
        live.delete(port1);
        port1.close();
      },
    },
    onEvent,
  );
  port1.onmessage = (event) => client.receive(event.data);
  // Electron's extension: `close` fires when the main process's end goes away.
  port1.addEventListener('close', () => client.disconnected());
  send(port2);
  return {
    abort: () => client.abort(),
    decideTool: (toolUseId: string, decision: ToolDecision) => void client.decideTool?.(toolUseId, decision),
  };
}

const bridge: SluiceBridge = {
  startTurn: (request, onEvent) =>
    followOnPort(onEvent, (port) => ipcRenderer.postMessage(IPC_CHANNELS.startTurn, request, [port])),
  attachTurn: (turnId, onEvent) =>
    followOnPort(onEvent, (port) => ipcRenderer.postMessage(IPC_CHANNELS.attachTurn, { turnId }, [port])),
  listLiveTurns: () => invoke('turns:list', null),
  listConversations: () => invoke('conversations:list', null),
  getConversation: (id) => invoke('conversations:get', { id }),
  renameConversation: (id, title) => invoke('conversations:rename', { id, title }),
  configureConversation: (id, params) => invoke('conversations:configure', { id, params }),
  deleteConversation: (id) => invoke('conversations:delete', { id }),
  selectVersion: (id, messageId) => invoke('conversations:select-version', { id, messageId }),
  deleteMessage: (id, messageId) => invoke('conversations:delete-message', { id, messageId }),
  exportConversations: (request) => invoke('conversations:export', request),
  importConversations: (request) => invoke('conversations:import', request),
  searchMessages: (request) => invoke('conversations:search', request),
  getSettings: () => invoke('settings:get', null),
  updateSettings: (patch) => invoke('settings:update', patch),
  setApiKey: (key, provider) => invoke('settings:set-key', provider ? { key, provider } : { key }),
  listModels: (request) => invoke('models:list', request),
  mcpOverview: () => invoke('mcp:overview', null),
  restartMcpServer: (name) => invoke('mcp:restart', { name }),
  recordWindowMetrics: (id, turnId, metrics) =>
    invoke('conversations:window-metrics', { id, turnId, metrics }),
  pinConversation: (id, pinned) => invoke('conversations:pin', { id, pinned }),
};

contextBridge.exposeInMainWorld('sluice', bridge);
