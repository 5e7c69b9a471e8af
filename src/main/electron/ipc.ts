// Electron wiring for the IPC face: every channel first checks that the sender is our window's
// top-level frame showing our renderer, then hands the untrusted payload to a validating handler
// (src/main/desktop/handlers.ts). A turn starts with ipcRenderer.postMessage('turns:start', request,
// [port]); its relay events go back on that port (src/main/desktop/port-sink.ts).
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type MessagePortMain } from 'electron';
import { IPC_CHANNELS, INVOKE_CHANNELS, type IpcResult } from '../../shared/ipc';
import type { Handlers } from '../desktop/handlers';
import { isTrustedFrame } from '../desktop/sender';
import type { PortTurns, TurnPort } from '../desktop/turns';

export function turnPortOf(port: MessagePortMain): TurnPort {
  return {
    postMessage: (message) => port.postMessage(message),
    close: () => port.close(),
    onMessage: (listener) => port.on('message', (event) => listener(event.data)),
    onClose: (listener) => port.on('close', listener),
  };
}

const REFUSED: IpcResult<never> = {
  ok: false,
  error: {
    type: 'forbidden',
    message: 'This request did not come from the Sluice window, so it was refused.',
  },
};

export type IpcOptions = {
  handlers: Handlers;
  turns: PortTurns;
  /** The renderer's URL; only frames of this origin may call. */
  rendererUrl: string;
  /** The webContents ids of our windows. */
  isOurs: (webContentsId: number) => boolean;
  log: (line: string) => void;
};

export function registerIpc(opts: IpcOptions): () => void {
  const trusted = (event: IpcMainEvent | IpcMainInvokeEvent) =>
    opts.isOurs(event.sender.id) && isTrustedFrame(event.senderFrame, opts.rendererUrl);

  for (const channel of INVOKE_CHANNELS) {
    const handle = opts.handlers[channel] as (payload: unknown) => Promise<IpcResult<unknown>>;
    ipcMain.handle(channel, (event, payload: unknown) => {
      if (!trusted(event)) {
        opts.log(`refused ${channel} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        return REFUSED;
      }
      return handle(payload);
    });
  }

  // A turn's port arrives with its request: turns:start runs a turn, turns:attach re-attaches a
  // reloaded window to a running one. MessagePortMain queues messages until start(); the
  // listeners are attached inside turns.start / turns.attach first.
  const onPort =
    (channel: string, run: (owner: number, request: unknown, port: TurnPort) => Promise<unknown>) =>
    (event: IpcMainEvent, request: unknown) => {
      const [port] = event.ports;
      if (!port) return;
      if (!trusted(event)) {
        opts.log(`refused ${channel} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        port.close();
        return;
      }
      void run(event.sender.id, request, turnPortOf(port));
      port.start();
    };
  const onStart = onPort(IPC_CHANNELS.startTurn, (...a) => opts.turns.start(...a));
  const onAttach = onPort(IPC_CHANNELS.attachTurn, (...a) => opts.turns.attach(...a));
  ipcMain.on(IPC_CHANNELS.startTurn, onStart);
  ipcMain.on(IPC_CHANNELS.attachTurn, onAttach);

  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
    ipcMain.off(IPC_CHANNELS.startTurn, onStart);
    ipcMain.off(IPC_CHANNELS.attachTurn, onAttach);
  };
}
