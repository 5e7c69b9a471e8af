// The renderer's Content-Security-Policy, sent as a response header (index.html carries a meta copy
// for the browser twin). Built app: nothing but its own files — no inline script or style, no eval,
// no network: the page talks to the main process over IPC only. Dev server: the same, plus what
// Vite's dev server needs (its origin, its HMR websocket, and the inline React-refresh preamble and
// injected styles, which only exist under `electron-vite dev`).
export function contentSecurityPolicy(devServerUrl: string | null): string {
  const dev = devServerUrl ? new URL(devServerUrl) : null;
  const devOrigin = dev ? dev.origin : '';
  const devSocket = dev ? `${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}` : '';
  const directives: [string, string][] = [
    ['default-src', "'self'"],
    ['script-src', dev ? `'self' 'unsafe-inline' ${devOrigin}` : "'self'"],
    ['style-src', dev ? `'self' 'unsafe-inline' ${devOrigin}` : "'self'"],
    ['img-src', "'self' data:"],
    ['font-src', "'self'"],
    ['connect-src', dev ? `'self' ${devOrigin} ${devSocket}` : "'self'"],
    ['worker-src', "'self'"],
    ['object-src', "'none'"],
    ['frame-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map(([name, value]) => `${name} ${value}`).join('; ');
}
