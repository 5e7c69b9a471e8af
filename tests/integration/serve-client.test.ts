// The browser client (createHttpClient) when things go wrong: a dropped connection, EOF without a
// terminal event, silence, a Stop the server never answers, a refused request. Each turn still
// ends exactly once and keeps what arrived. Raw loopback servers play the broken server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test, vi } from 'vitest';
import { createHttpClient } from '../../src/renderer/src/api/http';
import type { RelayEvent } from '../../src/shared/protocol';
import { terminalEvent } from '../support/relay-events';
import { startTestServe, type TestServe } from '../support/serve';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.unstubAllGlobals();
  while (closers.length > 0) await closers.pop()?.();
});

type Seen = {
  method: string;
  url: string;
  authorization: string | undefined;
  lastEventId: string | undefined;
  closedEarly: boolean;
};

/**
 * A server that plays `handle` for every request but the client's re-attach (GET
 * /api/turns/:id/events), which it answers as Sluice does for a turn that is gone: 404.
 */
async function rawServer(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const entry: Seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      lastEventId: req.headers['last-event-id'] as string | undefined,
      closedEarly: false,
    };
    seen.push(entry);
    res.on('close', () => (entry.closedEarly = !res.writableFinished));
    if (req.method === 'GET' && /^\/api\/turns\/[^/]+\/events$/.test(req.url ?? '')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'not_found', message: 'No live turn with that id.' } }));
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const frame = (id: number, event: RelayEvent) =>
  `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
const turnStart: RelayEvent = {
  type: 'turn_start',
  turnId: 'turn-1',
  conversationId: 'c-1',
  t: 1,
  provider: 'simulated',
  model: 'sim-text',
};
const text = (t: string): RelayEvent => ({
  type: 'provider',
  turnId: 'turn-1',
  t: 2,
  step: 0,
  event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } },
});
const sseHead = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  res.flushHeaders();
};

function run(baseUrl: string, opts: Parameters<typeof createHttpClient>[0] = {}) {
  const events: RelayEvent[] = [];
  const handle = createHttpClient({ baseUrl, token: 't0k3n', ...opts }).startTurn(
    { action: 'send', conversationId: null, text: 'hi' },
    (e) => events.push(e),
  );
  return { events, handle };
}

test('a connection that drops mid-stream ends the turn as a network error when it cannot re-attach; what arrived stays', async () => {
  const { baseUrl, seen } = await rawServer((_req, res) => {
    sseHead(res);
    // Half of a third event, then the socket is gone.
    res.write(
      frame(1, turnStart) +
        frame(2, text('Hello')) +
        frame(3, text(', wor')) +
        'id: 4\nevent: provider\ndata: {"ty',
    );
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const { events, handle } = run(baseUrl);
  const terminal = await handle.done;
  expect(events.map((e) => e.type)).toEqual(['turn_start', 'provider', 'provider', 'terminal']);
  expect(events.at(-1)).toBe(terminal);
  expect(terminal).toMatchObject({
    turnId: 'turn-1',
    outcome: 'error',
    stopReason: null,
    error: { type: 'network', retryable: true },
    metrics: { ttftMs: null, tpotMs: null, outputTokens: null },
  });
  expect(terminal.error?.message).toMatch(/^The connection to Sluice dropped/);
  expect(terminal.error?.message).toContain('What arrived so far is kept.');
  expect(terminal.metrics.totalMs).toBeGreaterThanOrEqual(0);
  expect(await handle.turnId).toBe('turn-1');
  // It tried to re-attach after the last whole event, as EventSource does, and was told the turn is gone.
  expect(seen.map((r) => [r.method, r.url, r.lastEventId])).toEqual([
    ['POST', '/api/turns', undefined],
    ['GET', '/api/turns/turn-1/events', '3'],
  ]);
  expect(terminal.error?.message).toContain('No live turn with that id.');
});

test('a drop before any of the answer arrived says so, and claims nothing is kept', async () => {
  const { baseUrl } = await rawServer((_req, res) => {
    sseHead(res);
    res.write(frame(1, turnStart));
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const { handle } = run(baseUrl);
  const terminal = await handle.done;
  expect(terminal).toMatchObject({ outcome: 'error', error: { type: 'network', retryable: true } });
  expect(terminal.error?.message).toMatch(
    /^The connection to Sluice dropped before any of the answer arrived/,
  );
  expect(terminal.error?.message).not.toContain('kept');
});

test('a stream that ends without a terminal event ends the turn as a network error', async () => {
  const { baseUrl } = await rawServer((_req, res) => {
    sseHead(res);
    res.end(frame(1, turnStart) + frame(2, text('partial')));
  });
  const { events, handle } = run(baseUrl);
  const terminal = await handle.done;
  expect(events.map((e) => e.type)).toEqual(['turn_start', 'provider', 'terminal']);
  expect(terminal).toMatchObject({ outcome: 'error', error: { type: 'network', retryable: true } });
});

test('silence with not even a ping ends the turn as stalled and lets the connection go', async () => {
  const { baseUrl, seen } = await rawServer((_req, res) => {
    sseHead(res);
    res.write(frame(1, turnStart) + frame(2, text('and then')));
  });
  const { events, handle } = run(baseUrl, { idleTimeoutMs: 300 });
  const terminal = await handle.done;
  expect(events.map((e) => e.type)).toEqual(['turn_start', 'provider', 'terminal']);
  expect(terminal).toMatchObject({ outcome: 'stalled', error: { type: 'stalled', retryable: true } });
  await vi.waitFor(() => expect(seen[0]?.closedEarly).toBe(true));
});

test('bytes that are not yet whole events (a slow trickle) keep the turn alive', async () => {
  const long = frame(2, text('x'.repeat(2000)));
  const terminalFrame = frame(3, terminalEvent());
  const [chunk, everyMs, idleMs] = [100, 30, 300];
  // The long event takes about 20 trickles, several idle budgets, to complete; no gap comes near one.
  expect((long.length / chunk) * everyMs).toBeGreaterThan(idleMs * 1.5);
  const { baseUrl } = await rawServer((_req, res) => {
    sseHead(res);
    res.write(frame(1, turnStart));
    const rest = long + terminalFrame;
    let at = 0;
    const timer = setInterval(() => {
      res.write(rest.slice(at, (at += chunk)));
      if (at >= rest.length) {
        clearInterval(timer);
        res.end();
      }
    }, everyMs);
    res.on('close', () => clearInterval(timer));
  });
  const { events, handle } = run(baseUrl, { idleTimeoutMs: idleMs });
  const terminal = await handle.done;
  expect(terminal.outcome).toBe('complete');
  expect(events.map((e) => e.type)).toEqual(['turn_start', 'provider', 'terminal']);
});

test('Stop asks the server to stop and, when its terminal event does not come, ends the turn here', async () => {
  const { baseUrl, seen } = await rawServer((req, res) => {
    if (req.url?.endsWith('/abort')) {
      res.writeHead(204).end();
      return;
    }
    sseHead(res);
    res.write(frame(1, turnStart) + frame(2, text('kept')));
  });
  const events: RelayEvent[] = [];
  const handle = createHttpClient({ baseUrl, token: 't0k3n', abortGraceMs: 100 }).startTurn(
    { action: 'send', conversationId: null, text: 'hi' },
    (e) => {
      events.push(e);
      if (e.type === 'provider') handle.abort();
    },
  );
  const terminal = await handle.done;
  expect(events.map((e) => e.type)).toEqual(['turn_start', 'provider', 'terminal']);
  expect(terminal).toMatchObject({
    turnId: 'turn-1',
    outcome: 'aborted',
    error: null,
    metrics: { ttftMs: null },
  });
  await vi.waitFor(() => expect(seen[0]?.closedEarly).toBe(true));
  expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
    ['POST', '/api/turns', 'Bearer t0k3n'],
    ['POST', '/api/turns/turn-1/abort', 'Bearer t0k3n'],
  ]);
});

test('Stop before the turn has started closes the connection and ends the turn at once', async () => {
  const { baseUrl, seen } = await rawServer(() => {
    // Never answers: the request is in flight when Stop comes.
  });
  const events: RelayEvent[] = [];
  const handle = createHttpClient({ baseUrl, token: 't0k3n' }).startTurn(
    { action: 'send', conversationId: null, text: 'hi' },
    (e) => events.push(e),
  );
  await vi.waitFor(() => expect(seen).toHaveLength(1));
  handle.abort();
  handle.abort();
  const terminal = await handle.done;
  expect(terminal.outcome).toBe('aborted');
  expect(events).toEqual([terminal]);
  await vi.waitFor(() => expect(seen[0]?.closedEarly).toBe(true));
});

test('pings from a real server keep a silent turn alive past the client’s idle budget', async () => {
  const ts: TestServe = await startTestServe({
    settings: { pingIntervalMs: 1000, sim: { scenario: 'sim-stall' } },
  });
  closers.push(() => ts.close());
  const events: RelayEvent[] = [];
  const handle = createHttpClient({
    baseUrl: ts.server.origin,
    token: ts.server.token,
    idleTimeoutMs: 2200,
  }).startTurn({ action: 'send', conversationId: null, text: 'quiet please' }, (e) => events.push(e));
  // Twice the idle budget, in which only pings arrive.
  await new Promise((resolve) => setTimeout(resolve, 4400));
  handle.abort();
  const terminal = await handle.done;
  const report = await ts.nextTurnEnd();
  expect(report.sse.pings).toBeGreaterThanOrEqual(3);
  expect(terminal.outcome).toBe('aborted');
  expect(terminal.metrics.ttftMs).not.toBeNull();
  expect((await ts.nextSimEnd()).reason).toBe('client-closed');
});

test('a refused request becomes the turn’s one terminal event, with the server’s reason', async () => {
  const ts: TestServe = await startTestServe();
  closers.push(() => ts.close());
  const events: RelayEvent[] = [];
  const handle = createHttpClient({ baseUrl: ts.server.origin, token: 'not-the-token' }).startTurn(
    { action: 'send', conversationId: null, text: 'hi' },
    (e) => events.push(e),
  );
  const terminal = await handle.done;
  expect(events).toEqual([terminal]);
  expect(terminal).toMatchObject({
    outcome: 'error',
    error: { type: 'auth', status: 401, retryable: false },
  });
  expect(terminal.error?.message).toMatch(/access token/);
  expect(ts.simLog).toHaveLength(0);
});

test('the token comes from the page URL once, leaves the address bar, and survives a reload', async () => {
  const stored = new Map<string, string>();
  const replaced: string[] = [];
  const calls: { url: string; authorization: string | null }[] = [];
  const fakeFetch = (async (url: string, init?: RequestInit) => {
    calls.push({ url, authorization: new Headers(init?.headers).get('authorization') });
    return new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  vi.stubGlobal('sessionStorage', {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => stored.set(k, v),
  });
  vi.stubGlobal('history', {
    state: null,
    replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url),
  });

  vi.stubGlobal('location', new URL('http://127.0.0.1:4517/?token=page-token&demo=1#top'));
  await createHttpClient({ fetch: fakeFetch }).listConversations();
  expect(replaced).toEqual(['/?demo=1#top']);

  vi.stubGlobal('location', new URL('http://127.0.0.1:4517/?demo=1#top'));
  await createHttpClient({ fetch: fakeFetch }).listConversations();
  expect(calls).toEqual([
    { url: '/api/conversations', authorization: 'Bearer page-token' },
    { url: '/api/conversations', authorization: 'Bearer page-token' },
  ]);
  expect(replaced).toHaveLength(1);
});

test('a server that takes the request and never answers does not hang the turn', async () => {
  const { baseUrl, seen } = await rawServer(() => {
    // Headers never come.
  });
  const { events, handle } = run(baseUrl, { idleTimeoutMs: 300 });
  const terminal = await handle.done;
  expect(events).toEqual([terminal]);
  expect(terminal).toMatchObject({ outcome: 'stalled', error: { type: 'stalled' } });
  await vi.waitFor(() => expect(seen[0]?.closedEarly).toBe(true));
});

test('the client acknowledges what it has read once 256 events came since it last did, at most every 500 ms', async () => {
  const acks: unknown[] = [];
  const frames = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => frame(from + i, text('x'))).join('');
  const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const { baseUrl, seen } = await rawServer((req, res) => {
    if (req.url === '/api/turns/turn-1/ack') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        acks.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ turnId: 'turn-1', ...(JSON.parse(body) as object) }));
      });
      return;
    }
    sseHead(res);
    void (async () => {
      // 200 events: too few to acknowledge; 300: acknowledged; 100 more: too few again.
      res.write(frame(1, turnStart) + frames(2, 200));
      await after(30);
      res.write(frames(201, 300));
      await after(30);
      res.write(frames(301, 400));
      await after(30);
      res.end(frame(401, terminalEvent()));
    })();
  });
  const { events, handle } = run(baseUrl);
  expect((await handle.done).outcome).toBe('complete');
  expect(events).toHaveLength(401);
  await after(30);
  // One acknowledgement (the next may come only 500 ms later), in the second write: its last event,
  // or an earlier one of it at or past the 256th if the socket split that write.
  expect(acks).toHaveLength(1);
  const acked = Number((acks[0] as { lastEventId: string }).lastEventId);
  expect(acked).toBeGreaterThanOrEqual(256);
  expect(acked).toBeLessThanOrEqual(300);
  const ack = seen.find((r) => r.url.endsWith('/ack'));
  expect([ack?.method, ack?.authorization]).toEqual(['POST', 'Bearer t0k3n']);
});
