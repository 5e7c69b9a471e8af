// `sluice serve`'s HTTP server: the built renderer at `/`, the API under `/api/`, loopback only
// unless told otherwise, every request checked by the guard first.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatService } from '../chat/service';
import type { ConversationStore } from '../store/conversations';
import { searchOf } from '../store/search';
import type { SettingsStore } from '../store/settings';
import { handleApi, type ApiContext } from './api';
import { createGuard } from './guard';
import { HttpError, httpErrorOf, sendError } from './http';
import { serveStatic } from './static';
import type { TurnReport } from './turns';

export type ServeOptions = {
  service: ChatService;
  conversations: ConversationStore;
  settings: SettingsStore;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** 127.0.0.1 unless the user asked for another interface. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Generated (32 random bytes, base64url) when not given. */
  token?: string;
  onTurnEnd?: (report: TurnReport) => void;
  /** Unexpected failures (a 500); never given request headers or bodies. */
  onError?: (err: unknown) => void;
};

export type SluiceServer = {
  /** The one URL to open: the page, with the access token. */
  url: string;
  origin: string;
  port: number;
  token: string;
  /** Turns streaming right now. */
  liveTurns(): number;
  /** Aborts live turns, waits for their partial messages to be saved, then closes every connection. */
  close(): Promise<void>;
};

export const newToken = (): string => randomBytes(32).toString('base64url');

export async function startServer(opts: ServeOptions): Promise<SluiceServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const live = new Set<Promise<unknown>>();
  const ctx: ApiContext = {
    service: opts.service,
    settings: opts.settings,
    conversations: opts.conversations,
    live,
    ...(opts.onTurnEnd ? { onTurnEnd: opts.onTurnEnd } : {}),
  };
  let guard = createGuard({ token, port: opts.port ?? 0, host });
  // The full-text index starts building (or loading) now, in the background, not at the first search.
  const search = searchOf(opts.conversations);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      guard.checkHostAndOrigin(req);
      const path = new URL(req.url ?? '/', 'http://sluice.invalid').pathname;
      if (path === '/api' || path.startsWith('/api/')) {
        guard.checkToken(req);
        await handleApi(ctx, req, res, path);
      } else {
        // The page and its assets are the public app code and carry no data, so they need no token:
        // a reload (the token is no longer in the address bar) still loads the page.
        await serveStatic(opts.staticDir, req, res, path);
      }
    } catch (err) {
      const answer = httpErrorOf(err);
      if (!answer) opts.onError?.(err);
      const internal = () =>
        new HttpError({
          type: 'internal',
          message: 'Sluice failed to handle this request; see its terminal.',
        });
      if (!res.destroyed) sendError(res, answer ?? internal());
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  guard = createGuard({ token, port, host });
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    liveTurns: () => live.size,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        opts.service.abortAll('shutdown');
        await Promise.allSettled([...live]);
        server.closeAllConnections();
        await closed;
        await search.close();
      })()),
  };
}
