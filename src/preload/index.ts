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

const bridge: SluiceBridge = {
  startTurn(request, onEvent) {
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
    ipcRenderer.postMessage(IPC_CHANNELS.startTurn, request, [port2]);
    return { abort: () => client.abort() };
  },
  listConversations: () => invoke('conversations:list', null),
  getConversation: (id) => invoke('conversations:get', { id }),
  renameConversation: (id, title) => invoke('conversations:rename', { id, title }),
  deleteConversation: (id) => invoke('conversations:delete', { id }),
  getSettings: () => invoke('settings:get', null),
  updateSettings: (patch) => invoke('settings:update', patch),
  setApiKey: (key, provider) => invoke('settings:set-key', provider ? { key, provider } : { key }),
  listModels: (request) => invoke('models:list', request),
  recordWindowMetrics: (id, turnId, metrics) =>
    invoke('conversations:window-metrics', { id, turnId, metrics }),
};

contextBridge.exposeInMainWorld('sluice', bridge);
