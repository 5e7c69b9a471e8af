// A TCP proxy on loopback that fails on purpose, for putting between the relay and the simulated
// provider, or between a client and `sluice serve`. It forwards bytes both ways; the faults act on
// the answer (target → client), counted from the start of each connection:
//   latencyMs        every chunk waits this long before it is passed on (order kept)
//   bytesPerSecond   the answer is passed on no faster than this, in small slices
//   resetAfterBytes  after this many bytes both sides are reset (RST, as a dropped link)
//   stopReadingAfterBytes  after this many bytes the proxy stops reading the target and passes
//                    nothing on, the connections left open: a peer that no longer reads.
//                    `resumeReading()` lets it go on.
//   pauseAfterBytes + pauseMs  after this many bytes nothing is passed on for pauseMs, then the
//                    rest follows (a link that goes quiet, longer than an idle timeout)
// Whichever side closes, the proxy closes the other, so a client that gives up reaches the target.
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export type Faults = {
  latencyMs?: number;
  bytesPerSecond?: number;
  resetAfterBytes?: number;
  stopReadingAfterBytes?: number;
  pauseAfterBytes?: number;
  pauseMs?: number;
};

export type FaultProxy = {
  /** `http://127.0.0.1:port` of the proxy. */
  url: string;
  port: number;
  /** The faults for connections made from now on. */
  faults: Faults;
  /** Bytes passed on to clients, over all connections. */
  bytesToClient: number;
  /** Connections accepted so far. */
  connections: number;
  /** Connections whose target side has closed (however it closed). */
  targetClosed: number;
  /** A connection the proxy reset or stopped reading on, once it has. */
  readonly faulted: Promise<void>;
  /** Lets connections stopped by `stopReadingAfterBytes` go on. */
  resumeReading(): void;
  /** Destroys every connection, clears every timer, and stops listening. */
  close(): Promise<void>;
};

const SLICE = 256;

export async function startFaultProxy(
  target: { host?: string; port: number },
  faults: Faults = {},
): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const resumers = new Set<() => void>();
  let markFaulted: () => void = () => {};
  const faulted = new Promise<void>((resolve) => (markFaulted = resolve));
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const state: FaultProxy = {
    url: '',
    port: 0,
    faults,
    bytesToClient: 0,
    connections: 0,
    targetClosed: 0,
    faulted,
    resumeReading: () => {
      for (const resume of [...resumers]) resume();
      resumers.clear();
    },
    close: async () => {
      state.resumeReading();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const onConnection = (client: Socket) => {
    const f = { ...state.faults };
    state.connections += 1;
    const upstream = createConnection({ host: target.host ?? '127.0.0.1', port: target.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    upstream.on('close', () => (state.targetClosed += 1));
    // Either side gone: the other goes too (a reset stays a reset).
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    // Requests go through untouched.
    client.pipe(upstream);

    let sent = 0; // answer bytes passed on (or scheduled) on this connection
    let queue: Promise<void> = Promise.resolve();
    const wait = (ms: number) => new Promise<void>((resolve) => later(ms, resolve));
    const deliver = (chunk: Buffer): Promise<void> => {
      if (client.destroyed) return Promise.resolve();
      state.bytesToClient += chunk.byteLength;
      if (client.write(chunk)) return Promise.resolve();
      return new Promise((resolve) => {
        client.once('drain', resolve);
        client.once('close', resolve);
      });
    };

    const forward = async (chunk: Buffer) => {
      if (f.latencyMs) await wait(f.latencyMs);
      let rest = chunk;
      while (rest.byteLength > 0 && !client.destroyed) {
        // The next fault point on this connection, if it falls inside what is left.
        const points = [f.resetAfterBytes, f.stopReadingAfterBytes, f.pauseAfterBytes].filter(
          (p): p is number => p !== undefined && p >= sent && p < sent + rest.byteLength,
        );
        const cut = points.length > 0 ? Math.min(...points) - sent : rest.byteLength;
        let piece = rest.subarray(0, cut);
        rest = rest.subarray(cut);
        while (piece.byteLength > 0) {
          const slice = f.bytesPerSecond ? piece.subarray(0, SLICE) : piece;
          piece = piece.subarray(slice.byteLength);
          sent += slice.byteLength;
          await deliver(slice);
          if (f.bytesPerSecond) await wait((slice.byteLength / f.bytesPerSecond) * 1000);
        }
        if (sent === f.resetAfterBytes) {
          client.resetAndDestroy();
          upstream.resetAndDestroy();
          markFaulted();
          return;
        }
        if (sent === f.stopReadingAfterBytes) {
          delete f.stopReadingAfterBytes;
          markFaulted();
          await new Promise<void>((resolve) => resumers.add(resolve));
        }
        if (sent === f.pauseAfterBytes && f.pauseMs) {
          delete f.pauseAfterBytes;
          await wait(f.pauseMs);
        }
      }
    };

    upstream.on('data', (chunk: Buffer) => {
      // One chunk at a time, in order; while a fault holds the queue, TCP pushes back upstream.
      upstream.pause();
      queue = queue
        .then(() => forward(chunk))
        .then(() => {
          if (!upstream.destroyed) upstream.resume();
        });
    });
    upstream.on('end', () => {
      void queue.then(() => client.end());
    });
  };

  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  return state;
}
