// A real nginx between a client and a loopback SSE upstream: which profiles hold the stream back
// and which pass it through, proved by the ORDER of the upstream's writes and the client's arrivals.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { findNginx, startNginxFront, type NginxFront, type NginxProfile } from '../../src/main/proxy';

const nginx = await findNginx();
const EVENTS = 40;
const INTERVAL_MS = 15;

// CI installs nginx, so there a missing nginx is a failure; on a laptop it is one skipped suite.
if (!nginx.ok && process.env['CI']) {
  test('nginx is installed (required in CI)', () => {
    throw new Error(nginx.error.message);
  });
} else if (!nginx.ok) {
  console.warn(`proxy-nginx: skipped — ${nginx.error.message}`);
}
const suite = nginx.ok ? describe : describe.skip;

type Upstream = { url: string; writes: number[][]; close(): Promise<void> };

/** Writes EVENTS small `data:` events INTERVAL_MS apart; records when each write began. */
async function startSseUpstream(): Promise<Upstream> {
  const writes: number[][] = [];
  const server: Server = createServer((req, res) => {
    const times: number[] = [];
    writes.push(times);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      // What the simulated provider does when asked: the per-response cure nginx honours.
      ...(req.headers['x-sluice-sim-accel-buffering'] === 'no' ? { 'x-accel-buffering': 'no' } : {}),
    });
    let n = 0;
    const timer = setInterval(() => {
      n++;
      times.push(performance.now());
      res.write(`id: ${n}\ndata: {"n":${n},"text":"token ${n}"}\n\n`);
      if (n === EVENTS) {
        clearInterval(timer);
        res.end();
      }
    }, INTERVAL_MS);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    writes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Received = { ids: number[]; arrivals: number[]; headers: Headers };

/** Reads the body incrementally (fetch un-gzips) and stamps each complete event as it arrives. */
async function readEvents(url: string, headers: Record<string, string> = {}): Promise<Received> {
  const res = await fetch(`${url}/v1/messages`, { headers: { 'accept-encoding': 'gzip', ...headers } });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const received: Received = { ids: [], arrivals: [], headers: res.headers };
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const now = performance.now();
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      received.ids.push(Number(/^id: (\d+)$/m.exec(event)?.[1]));
      received.arrivals.push(now);
    }
  }
  return received;
}

/** How many upstream writes had begun when the client got its first event (40 = held to the end). */
const writesBeforeFirstArrival = (writes: number[], got: Received) =>
  writes.filter((t) => t < got.arrivals[0]!).length;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  return true;
}

/** Every process whose command line mentions `needle` (Linux /proc; elsewhere none are found). */
async function processesMentioning(needle: string): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmd.split('\0').join(' ').includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

async function expectStoppedClean(front: NginxFront): Promise<void> {
  expect(isRunning(front.pid), `nginx pid ${front.pid} still exists`).toBe(false);
  expect(await processesMentioning(front.prefix)).toEqual([]);
  await expect(readdir(front.prefix)).rejects.toMatchObject({ code: 'ENOENT' });
}

suite('a real nginx in front of a streaming upstream', () => {
  let baseDir = '';
  let upstream: Upstream;
  let front: NginxFront | null = null;
  const observed: string[] = [];

  beforeAll(async () => {
    baseDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-nginx-test-'));
    upstream = await startSseUpstream();
  });
  afterEach(async () => {
    if (front === null) return;
    await front.stop();
    await expectStoppedClean(front);
    front = null;
  });
  afterAll(async () => {
    await upstream.close();
    expect(await readdir(baseDir)).toEqual([]);
    await rm(baseDir, { recursive: true, force: true });
    if (process.env['SLUICE_NGINX_REPORT']) console.log(observed.join('\n'));
  });

  async function through(profile: NginxProfile, headers: Record<string, string> = {}) {
    front = await startNginxFront({ profile, upstream: { url: upstream.url }, baseDir });
    const before = upstream.writes.length;
    const got = await readEvents(front.url, headers);
    const writes = upstream.writes[before]!;
    expect(got.ids).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    expect(writes).toHaveLength(EVENTS);
    const label = `${profile}${Object.keys(headers).length ? ' + X-Accel-Buffering: no' : ''}`;
    const reads = new Set(got.arrivals).size;
    observed.push(
      `${label}: first event after ${writesBeforeFirstArrival(writes, got)}/${EVENTS} writes, in ${reads} reads`,
    );
    return { got, writes };
  }

  test('buffered: the first event reaches the client only after the upstream wrote its last', async () => {
    const { got, writes } = await through('buffered');
    expect(got.arrivals[0]).toBeGreaterThan(writes[EVENTS - 1]!);
  });

  test('buffered-gzip: the stream is gzipped and still arrives only after the last write', async () => {
    const { got, writes } = await through('buffered-gzip');
    expect(got.headers.get('content-encoding')).toBe('gzip');
    expect(got.arrivals[0]).toBeGreaterThan(writes[EVENTS - 1]!);
  });

  test('streaming: the first event reaches the client before the upstream writes the last', async () => {
    const { got, writes } = await through('streaming');
    expect(got.headers.get('content-encoding')).toBeNull();
    expect(got.arrivals[0]).toBeLessThan(writes[EVENTS - 1]!);
  });

  test('header-cure: the same buffering config streams once the upstream sends X-Accel-Buffering: no', async () => {
    const cured = await through('header-cure', { 'x-sluice-sim-accel-buffering': 'no' });
    expect(cured.got.arrivals[0]).toBeLessThan(cured.writes[EVENTS - 1]!);
    // nginx consumes the header; the client never sees it.
    expect(cured.got.headers.get('x-accel-buffering')).toBeNull();

    const before = upstream.writes.length;
    const plain = await readEvents(front!.url);
    expect(plain.arrivals[0]).toBeGreaterThan(upstream.writes[before]![EVENTS - 1]!);
  });

  test('the health location answers with a token unique to the prefix, not the upstream', async () => {
    front = await startNginxFront({ profile: 'streaming', upstream: { url: upstream.url }, baseDir });
    const res = await fetch(`${front.url}/__sluice_health`);
    expect(await res.text()).toBe(`sluice ${path.basename(front.prefix)}`);
    expect(front.config).toContain(`listen 127.0.0.1:${front.port};`);
    expect(await readFile(path.join(front.prefix, 'nginx.conf'), 'utf8')).toBe(front.config);
  });

  test('stop twice is harmless and leaves no process and no prefix', async () => {
    const f = await startNginxFront({ profile: 'buffered', upstream: { url: upstream.url }, baseDir });
    expect(isRunning(f.pid)).toBe(true);
    expect(await processesMentioning(f.prefix)).toEqual([f.pid]);
    await Promise.all([f.stop(), f.stop()]);
    await f.stop();
    await expectStoppedClean(f);
  });
});
