// The relay's sink for `sluice serve`: each relay event is one SSE message on the HTTP response.
// write() returns what res.write() returns, so a slow reader fills the socket, the engine stops
// pulling and TCP pushes back on the upstream. A `: ping` comment goes out whenever nothing else
// has for a ping interval, so idle-timeout proxies keep a slow-to-first-token stream open.
import type { ServerResponse } from 'node:http';
import type { RelayEvent } from '../../shared/protocol';
import type { Subscriber } from '../relay/replay';
import { BASE_HEADERS } from './http';

export const SSE_HEADERS: Record<string, string> = {
  ...BASE_HEADERS,
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
};

export type SseStats = {
  /** Bytes handed to res.write (events and pings). */
  bytesWritten: number;
  /** The most the response ever held unsent in user space (res.writableLength), in bytes. */
  peakBufferedBytes: number;
  events: number;
  pings: number;
};

export class SseSink implements Subscriber {
  private nextId = 1;
  private lastWriteAt = 0;
  private pingTimer: ReturnType<typeof setTimeout> | null = null;
  private ended = false;
  terminalWritten = false;
  readonly stats: SseStats = { bytesWritten: 0, peakBufferedBytes: 0, events: 0, pings: 0 };

  constructor(
    private readonly res: ServerResponse,
    private readonly pingIntervalMs: number,
  ) {}

  private get closed(): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded;
  }

  /** Sends the headers at once: the client learns the stream is open before the first event. */
  open(): void {
    if (this.res.headersSent || this.closed) return;
    this.res.writeHead(200, SSE_HEADERS);
    this.res.flushHeaders();
    this.res.socket?.setNoDelay(true);
    this.lastWriteAt = performance.now();
    this.schedulePing(this.pingIntervalMs);
  }

  /** `id` and `data`: the turn feed's event id and JSON (relay/replay.ts); else numbered here. */
  write(event: RelayEvent, id?: string, data?: string): boolean {
    // A closed sink accepts and drops: the turn goes on (detached) or is ending on its own.
    if (this.closed) return true;
    this.open();
    if (event.type === 'terminal') this.terminalWritten = true;
    this.stats.events += 1;
    return this.send(
      `id: ${id ?? this.nextId++}\nevent: ${event.type}\ndata: ${data ?? JSON.stringify(event)}\n\n`,
    );
  }

  /** A newer connection re-attached to the turn: this one ends here. */
  superseded(): void {
    this.end();
  }

  drain(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed || !this.res.writableNeedDrain) return resolve();
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Ends the response after the terminal event (or drops it if the client already left). */
  end(): void {
    this.stopPings();
    if (this.closed) return;
    this.ended = true;
    this.res.end();
  }

  private send(frame: string): boolean {
    this.lastWriteAt = performance.now();
    this.stats.bytesWritten += Buffer.byteLength(frame);
    const ok = this.res.write(frame);
    this.stats.peakBufferedBytes = Math.max(this.stats.peakBufferedBytes, this.res.writableLength);
    return ok;
  }

  private schedulePing(delayMs: number): void {
    this.pingTimer = setTimeout(() => this.ping(), delayMs);
    this.pingTimer.unref();
  }

  private ping(): void {
    this.pingTimer = null;
    if (this.closed) return;
    const quietFor = performance.now() - this.lastWriteAt;
    if (quietFor < this.pingIntervalMs) return this.schedulePing(this.pingIntervalMs - quietFor);
    // A reader that is behind is not idle: the bytes it has yet to read keep the connection alive.
    if (!this.res.writableNeedDrain) {
      this.stats.pings += 1;
      this.send(': ping\n\n');
    }
    this.schedulePing(this.pingIntervalMs);
  }

  private stopPings(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
  }
}
