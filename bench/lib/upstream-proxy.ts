// A loopback hop between `sluice serve`'s relay and the simulated provider, for what settings
// cannot ask for: an answer of N deltas (x-sluice-sim-tokens, with max_tokens raised to match) and,
// optionally, a delta rate finer than the provider's whole-millisecond TPOT. Pacing asks the
// provider for a TPOT-0 firehose and releases its events on schedule, reading upstream only while
// little is queued, so backpressure still reaches the provider.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIM_HEADERS } from '../../src/main/providers/simulated';

export type ProxyPlan = {
  tokens: number;
  /** Deltas per second, or null: pass the stream through as it comes. */
  deltasPerSecond: number | null;
};

export type PacedStream = { firstDeltaAt: number; lastDeltaAt: number; deltas: number };

export type UpstreamProxy = {
  url: string;
  /** Applies to the next requests. */
  plan: ProxyPlan;
  /** One entry per paced response, when it ends. */
  paced: PacedStream[];
  close(): Promise<void>;
};

const QUEUE_HIGH = 256 * 1024;
const DELTA = 'event: content_block_delta';

export async function startUpstreamProxy(target: string, plan: ProxyPlan): Promise<UpstreamProxy> {
  const upstream = new URL(target);
  const proxy: UpstreamProxy = { url: '', plan, paced: [], close: async () => {} };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { tokens, deltasPerSecond } = proxy.plan;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { max_tokens?: number };
      body.max_tokens = Math.max(body.max_tokens ?? 0, tokens);
      const text = JSON.stringify(body);
      const headers: Record<string, string | string[] | undefined> = {
        ...req.headers,
        host: upstream.host,
        'content-length': String(Buffer.byteLength(text)),
        [SIM_HEADERS.tokens]: String(tokens),
      };
      if (deltasPerSecond !== null) headers[SIM_HEADERS.tpotMs] = '0';
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          if (deltasPerSecond === null || up.statusCode !== 200) up.pipe(res);
          else pace(up, res, deltasPerSecond, (s) => proxy.paced.push(s));
        },
      );
      out.on('error', () => res.destroy());
      // The relay closing its request must reach the provider as a closed connection too.
      res.on('close', () => {
        if (!res.writableFinished) out.destroy();
      });
      out.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** Releases SSE events so content deltas leave at `rate` per second (others go with the next delta). */
function pace(
  up: IncomingMessage,
  res: NodeJS.WritableStream & { destroyed: boolean },
  rate: number,
  done: (s: PacedStream) => void,
): void {
  const queue: string[] = [];
  let queued = 0;
  let partial = '';
  let ended = false;
  let started = Number.NaN;
  let sent = 0;
  let firstDeltaAt = Number.NaN;
  let lastDeltaAt = Number.NaN;
  up.setEncoding('utf8');
  up.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n\n');
    partial = parts.pop() ?? '';
    for (const p of parts) queue.push(`${p}\n\n`);
    queued += chunk.length;
    if (queued > QUEUE_HIGH) up.pause();
  });
  up.on('end', () => {
    ended = true;
    if (partial) queue.push(partial);
  });
  const tick = () => {
    if (res.destroyed) return;
    const now = performance.now();
    let out = '';
    while (queue.length > 0) {
      const next = queue[0] as string;
      const isDelta = next.startsWith(DELTA);
      // The schedule starts at the first delta, so TTFT is not paid back as a burst.
      if (isDelta && Number.isNaN(started)) started = now;
      if (isDelta && sent >= Math.floor(((now - started) * rate) / 1000) + 1) break;
      queue.shift();
      queued -= next.length;
      out += next;
      if (isDelta) {
        sent += 1;
        if (Number.isNaN(firstDeltaAt)) firstDeltaAt = now;
        lastDeltaAt = now;
      }
    }
    if (out) res.write(out);
    if (queued < QUEUE_HIGH / 2) up.resume();
    if (ended && queue.length === 0) {
      res.end();
      done({ firstDeltaAt, lastDeltaAt, deltas: sent });
      return;
    }
    setTimeout(tick, 1);
  };
  setTimeout(tick, 0);
}
