// The built renderer, served at `/`. Paths resolve inside the root only; anything that would climb
// out of it (`..`, encoded or not, absolute, NUL) is a 404, never a read.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { BASE_HEADERS, HttpError } from './http';

/** The same policy as the renderer's meta CSP, plus what only a header can say (no framing). */
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; worker-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";
const CSP_HEADER = `${RENDERER_CSP}; frame-ancestors 'none'`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file under `root` a URL path names, or null when it names nothing there. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const base = resolve(root);
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const segments = relative.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const full = resolve(base, join(...segments));
  return full.startsWith(base + sep) ? full : null;
}

/**
 * A build's file under assets/ has its content's hash in its name (`index-YDIMp8Qn.js`): the same
 * name is always the same bytes, so the browser keeps it and, on the next start, neither fetches
 * nor compiles it again (Chromium keeps the compiled code beside a cached script). The page names
 * those files; it is small and always revalidated, so a rebuild is seen at once.
 */
export function cacheControl(urlPath: string): string {
  return HASHED_ASSET.test(urlPath) ? 'public, max-age=31536000, immutable' : 'no-cache';
}
const HASHED_ASSET = /^\/assets\/[\w.-]+-[\w-]{8}\.(?:js|css|wasm|woff2?|ttf|svg|png)$/;

export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  urlPath: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new HttpError({
      type: 'method_not_allowed',
      message: `${req.method ?? 'This method'} is not allowed here; use GET.`,
    });
  }
  const path = resolveStaticPath(root, urlPath);
  const info = path ? await stat(path).catch(() => null) : null;
  if (!path || !info?.isFile()) {
    if (urlPath === '/' || urlPath === '/index.html') {
      throw new HttpError({
        type: 'renderer_missing',
        message:
          'The renderer is not built. Run `npx electron-vite build` (or start `sluice serve` without --no-build).',
      });
    }
    throw new HttpError({ type: 'not_found', message: `Nothing is served at ${urlPath}.` });
  }
  const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  const html = type.startsWith('text/html');
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': type,
    'Content-Length': info.size,
    'Cache-Control': cacheControl(urlPath),
    ...(html ? { 'Content-Security-Policy': CSP_HEADER, 'X-Frame-Options': 'DENY' } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(path);
    stream.on('error', () => {
      res.destroy();
      done();
    });
    res.on('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
}
