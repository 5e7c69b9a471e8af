// A loopback HTTP server that answers with exactly the bytes a test gives it, chunk by chunk, so
// tests can feed the real SDK and relay split events, CRLF, HTML bodies, cut connections and silence.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RawReply = {
  status?: number;
  headers?: Record<string, string>;
  chunks: (string | Uint8Array)[];
  /** How the response ends after the last chunk. */
  end?: 'end' | 'destroy' | 'hang';
};

export type RawUpstream = {
  url: string;
  /** Requests received so far. */
  requests: number;
  /** Requests whose client closed the connection before the reply ended. */
  clientCloses: number;
  /** Bytes written to clients so far (for backpressure tests). */
  bytesWritten: number;
  /** Each request's method, path, headers and body (UTF-8), in order. */
  received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
};

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

export async function startRawUpstream(
  reply: (n: number, req: IncomingMessage) => RawReply,
): Promise<RawUpstream> {
  const sockets = new Set<Socket>();
  const state: RawUpstream = {
    url: '',
    requests: 0,
    clientCloses: 0,
    bytesWritten: 0,
    received: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    // Drain the request body before answering, like a real API.
    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    state.received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(body).toString('utf8'),
    });
    state.requests += 1;
    const r = reply(state.requests, req);
    let finished = false;
    res.on('close', () => {
      if (!finished) state.clientCloses += 1;
    });
    res.socket?.setNoDelay(true);
    res.writeHead(r.status ?? 200, { ...SSE_HEADERS, ...r.headers });
    res.flushHeaders();
    for (const chunk of r.chunks) {
      if (res.destroyed) return;
      state.bytesWritten += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (!res.write(chunk))
        await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      // A macrotask between writes, so separate chunks tend to leave as separate TCP segments.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (r.end === 'hang') return;
    finished = true;
    if (r.end === 'destroy') res.socket?.destroy();
    else res.end();
  };

  const server = createServer((req, res) => void serve(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
