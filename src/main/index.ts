// Electron entry: the desktop face of the relay. One sandboxed window; conversations, settings and
// the (encrypted) key in the user data directory; each turn streamed to the page over its own
// MessagePort. Quitting aborts every live stream and waits, bounded, for the partials to be saved.
import { join } from 'node:path';
import { app, BrowserWindow, dialog, session } from 'electron';
import { DEFAULT_SETTINGS } from '../shared/protocol';
import { NginxRouter } from './proxy/route';
import { defaultDataDir } from './store/data-dir';
import { DataDirLockedError, lockDataDir } from './store/lock';
import { McpManager } from './mcp/manager';
import { MCP_FILE } from './mcp/config';
import { ChatService } from './chat/service';
import { APP_URL, registerAppScheme, serveRenderer } from './electron/app-protocol';
import { contentSecurityPolicy } from './electron/csp';
import { registerIpc } from './electron/ipc';
import { safeStorageCipher } from './electron/safe-storage';
import { SecretKeyStore } from './electron/secrets';
import { secureSession } from './electron/security';
import { createMainWindow } from './electron/window';
import { createHandlers } from './desktop/handlers';
import { PortTurns } from './desktop/turns';
import { ConversationStore } from './store/conversations';
import { searchOf } from './store/search';
import { SettingsStore } from './store/settings';

const SHUTDOWN_WAIT_MS = 3_000;
const log = (line: string) => console.log(`[sluice] ${line}`);

// A data directory for this run (tests, a second profile) replaces Electron's userData entirely.
const dataDirOverride = process.env['SLUICE_DATA_DIR'];
if (dataDirOverride) app.setPath('userData', dataDirOverride);

const devServerUrl = !app.isPackaged ? (process.env['ELECTRON_RENDERER_URL'] ?? null) : null;
const rendererUrl = devServerUrl ?? APP_URL;
const here = import.meta.dirname;

app.enableSandbox();
registerAppScheme();

// One desktop instance at a time (a second one focuses the first's window); the data directory's
// own lock (store/lock.ts, taken in main) keeps `sluice serve` off it too.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void main();
}

async function main(): Promise<void> {
  await app.whenReady();
  // Conversations and settings live where `sluice serve` keeps them, so both faces share history.
  const dataDir = dataDirOverride ?? defaultDataDir();
  // One writer per data directory: `sluice serve` on the same one holds it.
  let lock;
  try {
    lock = await lockDataDir(dataDir, 'desktop');
  } catch (err) {
    dialog.showErrorBox(
      'Sluice cannot open its data',
      err instanceof DataDirLockedError ? err.message : String(err),
    );
    app.exit(1);
    return;
  }
  const keys = new SecretKeyStore({
    file: join(app.getPath('userData'), 'key.bin'),
    cipher: safeStorageCipher,
  });
  await keys.load();
  const conversations = new ConversationStore(dataDir);
  const settings = new SettingsStore(dataDir, {
    ...DEFAULT_SETTINGS,
    provider: keys.get() ? 'anthropic' : 'simulated',
  });
  // The desktop window is the person's own: it may add stdio MCP servers (main validates and spawns).
  const mcp = new McpManager({
    settings: () => settings.get(),
    file: join(dataDir, MCP_FILE),
    pageMayAddStdio: true,
  });
  const service = new ChatService({ conversations, settings, keys, router: new NginxRouter(), mcp });
  const turns = new PortTurns(service, {
    onError: (err) => log(`a turn failed after it ended: ${String(err)}`),
  });

  const csp = contentSecurityPolicy(devServerUrl);
  if (!devServerUrl) serveRenderer(join(here, '../renderer'), csp);
  secureSession(session.defaultSession, { rendererUrl, csp, devServerUrl });

  const ours = new Set<number>();
  registerIpc({
    handlers: createHandlers({ service, conversations, settings, keys }),
    turns,
    rendererUrl,
    isOurs: (id) => ours.has(id),
    log,
  });

  const openWindow = () => {
    const win = createMainWindow({
      rendererUrl,
      preloadPath: join(here, '../preload/index.cjs'),
      onPageGone: (id, why) => {
        const detached = turns.pageGone(id);
        if (detached > 0)
          log(
            `${why}: detached ${detached} live turn(s); each stops (its partial saved) unless the window re-attaches within the reconnect grace`,
          );
      },
      log,
    });
    const id = win.webContents.id;
    ours.add(id);
    win.on('closed', () => ours.delete(id));
    return win;
  };
  openWindow();
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });

  let quitting: 'no' | 'draining' | 'done' = 'no';
  app.on('before-quit', (event) => {
    if (quitting === 'done') return;
    event.preventDefault();
    if (quitting === 'draining') return;
    quitting = 'draining';
    void (async () => {
      const live = turns.size;
      const settled = await turns.shutdown(SHUTDOWN_WAIT_MS);
      if (live > 0)
        log(
          settled
            ? `stopped ${live} live turn(s) and saved them`
            : 'some turns did not finish saving in time',
        );
      await service
        .close()
        .catch((err: unknown) => log(`closing the simulated provider failed: ${String(err)}`));
      await searchOf(conversations).close();
      await lock.release();
      quitting = 'done';
      app.quit();
    })();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
