// The Electron wiring, driven with a fake `electron` module (no Electron runtime needed): the
// sender check on every channel, turns:start with a MessagePortMain-shaped port, the window's
// webPreferences (context isolation, sandbox, no Node), the app-wide sandbox, the window and
// session hardening handlers (new windows, navigation, redirects, webviews, permissions,
// downloads, the dev server's CSP) and the sluice:// scheme (CSP on every answer, no way out of
// the renderer directory).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { envKeySource } from '../../src/main/chat/target';
import type { KeyStore } from '../../src/main/chat/target';
import { createHandlers } from '../../src/main/desktop/handlers';
import { PortTurns } from '../../src/main/desktop/turns';
import { ConversationStore } from '../../src/main/store/conversations';
import { closeSearch } from '../../src/main/store/search';
import { SettingsStore } from '../../src/main/store/settings';
import type { RelayEvent } from '../../src/shared/protocol';
import { pageEnd } from '../support/ipc-ports';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => ({
  handlers: new Map<string, Listener>(),
  listeners: new Map<string, Listener>(),
  opened: [] as string[],
  /** Every BrowserWindow made, with the options it was made with. */
  windows: [] as { options: Record<string, unknown>; contents: Record<string, unknown> }[],
  /** What the app object was asked, in order. */
  app: [] as string[],
  schemes: [] as unknown[],
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
}));

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: Listener) => fake.handlers.set(channel, fn),
    removeHandler: (channel: string) => fake.handlers.delete(channel),
    on: (channel: string, fn: Listener) => fake.listeners.set(channel, fn),
    off: (channel: string) => fake.listeners.delete(channel),
  },
  shell: {
    openExternal: async (url: string) => {
      fake.opened.push(url);
    },
  },
  BrowserWindow: class {
    static getAllWindows = () => [];
    readonly webContents: Record<string, unknown>;
    constructor(options: Record<string, unknown>) {
      const on = new Map<string, unknown>();
      this.webContents = {
        id: 7,
        handlers: on,
        setWindowOpenHandler: (fn: unknown) => on.set('window-open', fn),
        on: (name: string, fn: unknown) => on.set(name, fn),
        once: (name: string, fn: unknown) => on.set(name, fn),
      };
      fake.windows.push({ options, contents: this.webContents });
    }
    once() {}
    on() {}
    loadURL = () => Promise.resolve();
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => fake.schemes.push(...schemes),
    handle: (scheme: string, fn: (request: Request) => Promise<Response>) =>
      fake.protocolHandlers.set(scheme, fn),
  },
  app: {
    isPackaged: true,
    enableSandbox: () => fake.app.push('enableSandbox'),
    setPath: () => fake.app.push('setPath'),
    // Another instance holds the lock: index.ts sets up what runs before ready, then quits.
    requestSingleInstanceLock: () => (fake.app.push('requestSingleInstanceLock'), false),
    quit: () => fake.app.push('quit'),
    whenReady: () => new Promise(() => {}),
    on: () => {},
  },
  session: { defaultSession: {} },
}));

const { registerIpc } = await import('../../src/main/electron/ipc');
const { secureSession, secureWebContents } = await import('../../src/main/electron/security');
const { createMainWindow } = await import('../../src/main/electron/window');
const { registerAppScheme, serveRenderer, APP_SCHEME } = await import('../../src/main/electron/app-protocol');

const RENDERER = 'sluice://app/index.html';
const OURS = 1;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  fake.handlers.clear();
  fake.listeners.clear();
  fake.opened.length = 0;
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const keys: KeyStore = { ...envKeySource({}), set: async () => {}, note: () => null };

async function wire() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-ipc-electron-'));
  const conversations = new ConversationStore(dir);
  const settings = new SettingsStore(dir);
  await settings.update({ sim: { ttftMs: 0, tpotMs: 0 } });
  const service = new ChatService({ conversations, settings, keys });
  const turns = new PortTurns(service);
  const log: string[] = [];
  const unregister = registerIpc({
    handlers: createHandlers({ service, conversations, settings, keys }),
    turns,
    rendererUrl: RENDERER,
    isOurs: (id) => id === OURS,
    log: (line) => log.push(line),
  });
  cleanups.push(async () => {
    unregister();
    await service.close();
    // The full-text index the handlers started writes into the directory: closed first, as at quit.
    await closeSearch(conversations);
    await rm(dir, { recursive: true, force: true });
  });
  return { log, turns };
}

const event = (senderId: number, frame: { url: string; parent: unknown } | null, ports: unknown[] = []) => ({
  sender: { id: senderId },
  senderFrame: frame,
  ports,
});
const topFrame = { url: `${RENDERER}#/`, parent: null };

/** A Node MessagePort dressed as Electron's MessagePortMain: 'message' listeners get { data, ports }. */
function portMainLike(port: MessagePort) {
  const self = {
    started: false,
    postMessage: (message: unknown) => port.postMessage(message),
    on(name: 'message' | 'close', listener: Listener) {
      if (name === 'message') port.on('message', (data: unknown) => listener({ data, ports: [] }));
      else port.on('close', listener);
      return self;
    },
    start: () => {
      self.started = true;
    },
    close: () => port.close(),
  };
  return self;
}

test('every request channel answers only our window’s top-level frame showing our renderer', async () => {
  const { log } = await wire();
  const list = fake.handlers.get('conversations:list')!;
  expect(await list(event(OURS, topFrame), null)).toEqual({ ok: true, value: [] });

  const refused = [
    event(OURS, { url: RENDERER, parent: {} }),
    event(OURS, { url: 'https://example.com/', parent: null }),
    event(OURS, null),
    event(2, topFrame),
  ];
  for (const e of refused)
    expect(await list(e, null)).toMatchObject({ ok: false, error: { type: 'forbidden' } });
  expect(log).toHaveLength(4);
  expect([...fake.handlers.keys()].sort()).toEqual([
    'conversations:configure',
    'conversations:delete',
    'conversations:delete-message',
    'conversations:export',
    'conversations:get',
    'conversations:import',
    'conversations:list',
    'conversations:pin',
    'conversations:rename',
    'conversations:search',
    'conversations:select-version',
    'conversations:window-metrics',
    'mcp:overview',
    'mcp:restart',
    'models:list',
    'settings:get',
    'settings:set-key',
    'settings:update',
    'turns:list',
  ]);
});

test('turns:start over a MessagePortMain-shaped port streams the turn to the page', async () => {
  const { turns } = await wire();
  const { port1, port2 } = new MessageChannel();
  cleanups.push(() => {
    port1.close();
    port2.close();
  });
  const main = portMainLike(port1);
  const page = pageEnd(port2);
  fake.listeners.get('turns:start')!(event(OURS, topFrame, [main]), {
    action: 'send',
    conversationId: null,
    text: 'hello',
  });
  expect(main.started).toBe(true);
  const terminal = await page.client.done;
  expect(terminal).toMatchObject({ outcome: 'complete', stopReason: 'end_turn' });
  expect(page.events[0]?.type).toBe('turn_start');
  expect(page.events.filter((e: RelayEvent) => e.type === 'terminal')).toHaveLength(1);
  await vi.waitFor(() => expect(turns.size).toBe(0));
});

test('turns:start from anywhere else closes the port and starts nothing', async () => {
  const { turns, log } = await wire();
  const { port1, port2 } = new MessageChannel();
  cleanups.push(() => port2.close());
  const main = portMainLike(port1);
  const closed = new Promise<void>((resolve) => port2.once('close', () => resolve()));
  fake.listeners.get('turns:start')!(event(OURS, { url: 'https://evil.example/', parent: null }, [main]), {
    action: 'send',
    conversationId: null,
    text: 'hello',
  });
  await closed;
  expect(turns.size).toBe(0);
  expect(log[0]).toMatch(/refused turns:start/);
});

test('the window: new windows are denied (web links go to the browser), navigation and webviews are blocked', () => {
  const on = new Map<string, Listener>();
  let openHandler: Listener = () => undefined;
  const contents = {
    setWindowOpenHandler: (fn: Listener) => (openHandler = fn),
    on: (name: string, fn: Listener) => on.set(name, fn),
  };
  secureWebContents(contents as never, RENDERER);

  expect(openHandler({ url: 'https://docs.anthropic.com/x' })).toEqual({ action: 'deny' });
  expect(openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
  expect(openHandler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
  expect(fake.opened).toEqual(['https://docs.anthropic.com/x']);

  const navigate = (url: string) => {
    const e = { url, preventDefault: vi.fn() };
    on.get('will-navigate')!(e);
    return e.preventDefault.mock.calls.length > 0;
  };
  expect(navigate('https://example.com/')).toBe(true);
  expect(navigate('file:///etc/passwd')).toBe(true);
  expect(navigate('sluice://app/index.html')).toBe(false);
  const attach = { preventDefault: vi.fn() };
  on.get('will-attach-webview')!(attach);
  expect(attach.preventDefault).toHaveBeenCalled();
  // A redirect is a navigation too: away from our renderer it is stopped.
  const redirect = { url: 'https://evil.example/', preventDefault: vi.fn() };
  on.get('will-redirect')!(redirect);
  expect(redirect.preventDefault).toHaveBeenCalled();
  const home = { url: `${RENDERER}#/c/1`, preventDefault: vi.fn() };
  on.get('will-redirect')!(home);
  expect(home.preventDefault).not.toHaveBeenCalled();
});

test('the one window: context-isolated, sandboxed, no Node anywhere, web security on, our preload, and hardened contents', () => {
  fake.windows.length = 0;
  createMainWindow({
    rendererUrl: RENDERER,
    preloadPath: '/app/preload/index.cjs',
    onPageGone: () => {},
    log: () => {},
  });
  expect(fake.windows).toHaveLength(1);
  const { options, contents } = fake.windows[0]!;
  expect(options['webPreferences']).toEqual({
    preload: '/app/preload/index.cjs',
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: true,
  });
  // secureWebContents ran on this window's contents: new windows (middle clicks too) are denied.
  const on = contents['handlers'] as Map<string, Listener>;
  expect(on.get('window-open')!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview'])
    expect(on.has(name)).toBe(true);
});

test('the app: the sandbox is enabled for every renderer before anything else, and sluice:// is registered', async () => {
  fake.app.length = 0;
  fake.schemes.length = 0;
  await import('../../src/main/index');
  expect(fake.app.filter((call) => call !== 'setPath').slice(0, 2)).toEqual([
    'enableSandbox',
    'requestSingleInstanceLock',
  ]);
  expect(fake.app.at(-1)).toBe('quit');
  // Standard and secure so the page has an origin of its own; nothing that lifts the CSP or CORS.
  expect(fake.schemes).toEqual([
    { scheme: 'sluice', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  registerAppScheme();
  expect(fake.schemes.at(-1)).not.toHaveProperty('privileges.bypassCSP');
});

test('sluice://app serves only the renderer directory, every answer (404s too) with the CSP', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-app-scheme-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<p>ok</p>');
  await writeFile(join(dir, 'secret.txt'), 'not for the page');
  serveRenderer(join(dir, 'renderer'), "default-src 'self'");
  const handle = fake.protocolHandlers.get(APP_SCHEME)!;
  const get = (url: string) => handle(new Request(url));

  const page = await get('sluice://app/index.html');
  expect([page.status, await page.text(), page.headers.get('content-type')]).toEqual([
    200,
    '<p>ok</p>',
    'text/html; charset=utf-8',
  ]);
  for (const url of [
    'sluice://app/../secret.txt',
    'sluice://app/%2e%2e/secret.txt',
    'sluice://app/..%2fsecret.txt',
    'sluice://app/%2e%2e%5csecret.txt',
    `sluice://app/${encodeURIComponent(join(dir, 'secret.txt'))}`,
    'sluice://other/index.html',
    'sluice://app/missing.js',
  ]) {
    const r = await get(url);
    expect([url, r.status]).toEqual([url, 404]);
    expect(await r.text()).not.toContain('not for the page');
    expect(r.headers.get('content-security-policy')).toBe("default-src 'self'");
  }
  expect(page.headers.get('content-security-policy')).toBe("default-src 'self'");
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
});

test('the session: permissions refused except copying for our page; the dev server gets the CSP header', () => {
  let request: Listener = () => undefined;
  let check: Listener = () => undefined;
  let headers: Listener = () => undefined;
  let filter: unknown = null;
  const sessionOn: Record<string, Listener> = {};
  const session = {
    setPermissionRequestHandler: (fn: Listener) => (request = fn),
    setPermissionCheckHandler: (fn: Listener) => (check = fn),
    on: (name: string, fn: Listener) => (sessionOn[name] = fn),
    webRequest: {
      onHeadersReceived: (f: unknown, fn: Listener) => {
        filter = f;
        headers = fn;
      },
    },
  };
  const dev = 'http://localhost:5173/';
  secureSession(session as never, { rendererUrl: dev, csp: "default-src 'self'", devServerUrl: dev });

  const granted = (permission: string, url: string) => {
    let answer: boolean | null = null;
    request(null, permission, (ok: boolean) => (answer = ok), { requestingUrl: url });
    return answer;
  };
  for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
    expect(granted(p, dev)).toBe(false);
    expect(check(null, p, 'http://localhost:5173')).toBe(false);
  }
  expect(granted('clipboard-sanitized-write', dev)).toBe(true);
  expect(granted('clipboard-sanitized-write', 'https://example.com/')).toBe(false);
  expect(check(null, 'clipboard-sanitized-write', 'https://example.com')).toBe(false);

  expect(filter).toEqual({ urls: ['http://localhost:5173/*'] });
  let replaced: unknown = null;
  headers(
    { responseHeaders: { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] } },
    (r: unknown) => (replaced = r),
  );
  expect(replaced).toEqual({
    responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'self'"] },
  });
  // No download is ever started on the page's behalf.
  const download = { preventDefault: vi.fn() };
  sessionOn['will-download']!(download);
  expect(download.preventDefault).toHaveBeenCalled();
});
