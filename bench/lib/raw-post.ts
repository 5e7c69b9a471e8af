// A POST whose answer is read on the raw socket: by a reader that reads at its own pace, or one
// that cuts the connection part-way.
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';

export type RawAnswer = { res: IncomingMessage; destroy(): void };

export async function rawPost(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const target = new URL(url);
  const req = request({
    host: target.hostname,
    port: target.port,
    method: 'POST',
    path: target.pathname,
    headers: { ...headers, 'content-type': 'application/json' },
  });
  req.end(JSON.stringify(body));
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  return { res, destroy: () => req.destroy() };
}
