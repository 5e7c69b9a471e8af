// The one window. The page runs sandboxed and context-isolated with no Node; it reaches the main
// process only through the preload's `window.sluice` bridge.
import { BrowserWindow } from 'electron';
import { secureWebContents } from './security';

export type WindowOptions = {
  rendererUrl: string;
  preloadPath: string;
  /** A page that went away mid-stream (reload, crash, close): its turns must be aborted. */
  onPageGone: (webContentsId: number, why: string) => void;
  log: (line: string) => void;
};

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  // A middle click (auxclick) on a link asks for a new window like any other: secureWebContents'
  // window-open handler denies it and hands http(s) links to the system browser. (prettier-ignore
  // keeps the audit's justification on the line it points at.)
  // prettier-ignore
  const win = new BrowserWindow({ // eng-disable AUXCLICK_JS_CHECK
    width: 1100,
    height: 780,
    minWidth: 480,
    minHeight: 360,
    show: false,
    title: 'Sluice',
    backgroundColor: '#1b1b1f',
    webPreferences: {
      // The preload is ours: it exposes only `window.sluice` (fixed channels, a turn's port) through
      // the context bridge, never ipcRenderer or Node itself.
      preload: opts.preloadPath, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
    },
  });
  const contents = win.webContents;
  const id = contents.id;
  secureWebContents(contents, opts.rendererUrl);

  contents.on('did-start-navigation', (details) => {
    // Reload or any new document in the main frame: the old page, and its ports, are gone.
    if (details.isMainFrame && !details.isSameDocument) opts.onPageGone(id, 'navigation');
  });
  let crashes: number[] = [];
  contents.on('render-process-gone', (_event, details) => {
    opts.onPageGone(id, `renderer ${details.reason}`);
    opts.log(`renderer gone: ${details.reason} (exit code ${details.exitCode})`);
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    // Bring the page back (its conversations are on disk) — but not in a crash loop.
    const now = Date.now();
    crashes = [...crashes.filter((t) => now - t < 60_000), now];
    if (crashes.length <= 3) contents.reload();
  });
  contents.once('destroyed', () => opts.onPageGone(id, 'window closed'));
  win.once('ready-to-show', () => win.show());

  void win.loadURL(opts.rendererUrl).catch((err: unknown) => {
    opts.log(`could not load the renderer from ${opts.rendererUrl}: ${String(err)}`);
  });
  return win;
}
