// Who may talk to `sluice serve`. The server holds the API key's power, so a request must come to
// the right name (Host: defeats DNS rebinding), from the page itself (Origin: defeats other sites in
// the same browser) and, for the API, carry the per-run token (defeats other local processes and
// users). CORS is never opened: no Access-Control-* header is ever sent.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http';

export type Guard = {
  /** Throws an HttpError when the request's Host or Origin is not this server's own. */
  checkHostAndOrigin(req: IncomingMessage): void;
  /** Throws a 401 HttpError unless the request carries the token in a header. */
  checkToken(req: IncomingMessage): void;
};

const authority = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

export function createGuard(opts: { token: string; port: number; host: string }): Guard {
  const names = new Set(['127.0.0.1', 'localhost', opts.host]);
  const hosts = new Set([...names].map((name) => authority(name, opts.port).toLowerCase()));
  const origins = new Set([...hosts].map((h) => `http://${h}`));
  const expected = Buffer.from(opts.token);

  const presented = (req: IncomingMessage): string | null => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
    const header = req.headers['x-sluice-token'];
    return typeof header === 'string' ? header : null;
  };

  return {
    checkHostAndOrigin(req) {
      const host = (req.headers.host ?? '').toLowerCase();
      if (!hosts.has(host)) {
        throw new HttpError({
          type: 'misdirected',
          message: `This server answers only to ${[...hosts].join(' or ')}; the request was addressed to "${req.headers.host ?? ''}".`,
        });
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !origins.has(origin.toLowerCase())) {
        throw new HttpError({
          type: 'forbidden_origin',
          message: `Requests from other origins ("${origin}") are refused.`,
        });
      }
    },
    checkToken(req) {
      const given = presented(req);
      const bytes = Buffer.from(given ?? '');
      const ok = given !== null && bytes.length === expected.length && timingSafeEqual(bytes, expected);
      if (!ok) {
        throw new HttpError(
          {
            type: 'unauthorized',
            message:
              given === null
                ? 'This request needs the access token from the URL `sluice serve` printed, as "Authorization: Bearer <token>".'
                : 'The access token is not this server’s. Open the URL `sluice serve` printed when it started (a new token is made every run).',
          },
          { 'WWW-Authenticate': 'Bearer' },
        );
      }
    },
  };
}
