// The Electron security checklist, applied to our session and window: a strict CSP header, every
// permission refused, no navigation away from the renderer, no new windows (web links open in the
// system browser instead), no webviews, no downloads.
import { shell, type Session, type WebContents } from 'electron';
import { isTrustedFrame } from '../desktop/sender';

/** Copying a code block is the one permission the page needs; only our own page gets it. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

const sameOrigin = (url: string, rendererUrl: string) => isTrustedFrame({ url, parent: null }, rendererUrl);

export function secureSession(
  session: Session,
  opts: { rendererUrl: string; csp: string; devServerUrl: string | null },
): void {
  const allowed = (permission: string, url: string) =>
    ALLOWED_PERMISSIONS.has(permission) && sameOrigin(url, opts.rendererUrl);
  session.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(allowed(permission, details.requestingUrl)),
  );
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    allowed(permission, requestingOrigin),
  );
  session.on('will-download', (event) => event.preventDefault());

  // The built app's responses carry the header from the sluice:// handler; the dev server's get it here.
  if (opts.devServerUrl) {
    const origin = new URL(opts.devServerUrl).origin;
    session.webRequest.onHeadersReceived({ urls: [`${origin}/*`] }, (details, callback) => {
      const headers = Object.fromEntries(
        Object.entries(details.responseHeaders ?? {}).filter(
          ([name]) => name.toLowerCase() !== 'content-security-policy',
        ),
      );
      // The policy is csp.ts's (tested there); the audit cannot read a value built at run time.
      callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [opts.csp] } }); // eng-disable CSP_GLOBAL_CHECK
    });
  }
}

/** Opens http(s) links in the system browser; anything else (file:, javascript:, custom schemes) is dropped. */
export function openIfWebLink(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  // Only an http(s) URL that parsed reaches the system browser: never file:, javascript: or a custom scheme.
  if (parsed.protocol === 'https:' || parsed.protocol === 'http:') void shell.openExternal(parsed.href); // eng-disable OPEN_EXTERNAL_JS_CHECK
}

export function secureWebContents(contents: WebContents, rendererUrl: string): void {
  contents.setWindowOpenHandler(({ url }) => {
    openIfWebLink(url);
    return { action: 'deny' };
  });
  const stayHome = (event: { url: string; preventDefault(): void }) => {
    if (!sameOrigin(event.url, rendererUrl)) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
