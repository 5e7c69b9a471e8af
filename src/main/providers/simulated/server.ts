// The simulated provider: a loopback HTTP server speaking the Anthropic Messages API and OpenAI
// Chat Completions, so either unmodified SDK talks to it. Each request ends with exactly one log entry.
import { PURPOSE_HEADER } from '../types';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Exchange } from './exchange';
import { modelList } from './models';
import { DIALECTS, parseRequest, SIM_HEADERS } from './request';
import { answerJson, sendJson } from './reply';
import { scenarioOf } from './scenarios';
import { writeStream } from './stream';
import { ROUTES, wireOf, type Wire } from './wire';
import type {
  SimEndReason,
  SimLogEntry,
  SimTiming,
  SimulatedProvider,
  SimulatedProviderOptions,
} from './types';

export const DEFAULT_TIMING: SimTiming = { ttftMs: 400, tpotMs: 25, thinkingMs: 12_000 };
const MAX_BODY_BYTES = 32 * 1024 * 1024;

type Outcome = { scenario: string; reason: SimEndReason };

/** The request body, or null if the client left (or sent too much) first. */
function readBody(req: IncomingMessage, ex: Exchange): Promise<string | 'too-large' | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    void ex.sleep(Infinity).then(() => resolve(null));
  });
}

/**
 * `/ollama/v1/…`, `/think-tags/v1/…`: a dialect named by the base URL, for clients that cannot send
 * the dialect header (a provider configured in Settings is only a base URL). The header wins.
 */
function dialectByPath(req: IncomingMessage, path: string): string {
  const match = /^\/([a-z-]+)(\/v1\/.*)$/.exec(path);
  if (!match || !(DIALECTS as readonly string[]).includes(match[1] ?? '')) return path;
  req.headers[SIM_HEADERS.dialect] ??= match[1];
  return match[2] ?? path;
}

export async function startSimulatedProvider(
  opts: SimulatedProviderOptions = {},
): Promise<SimulatedProvider> {
  const defaults: SimTiming = { ...DEFAULT_TIMING, ...opts.defaults };
  const entries: SimLogEntry[] = [];
  const returned = new Set<SimLogEntry>();
  const waiters: { requestId: string | undefined; resolve: (e: SimLogEntry) => void }[] = [];
  const inFlight = new Set<Promise<void>>();
  const failures = new Map<string, number>();

  const record = (entry: SimLogEntry): void => {
    entries.push(entry);
    opts.log?.(entry);
    for (const w of [...waiters]) {
      if (w.requestId !== undefined ? w.requestId !== entry.requestId : returned.has(entry)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      returned.add(entry);
      w.resolve(entry);
    }
  };

  const countFailure = (key: string, times: number): boolean => {
    const tries = (failures.get(key) ?? 0) + 1;
    failures.set(key, tries);
    return tries <= times;
  };

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    ex: Exchange,
    requestId: string,
    path: string,
    wire: Wire,
  ): Promise<Outcome> {
    const models = req.method === 'GET' && path === '/v1/models';
    const post = req.method === 'POST' && (path === '/v1/messages' || path === '/v1/chat/completions');
    if (!models && !post) {
      const message = `${req.method} ${path} does not exist here. The simulated provider answers ${ROUTES}.`;
      wire.sendFault(ex, requestId, { status: 404, errorType: 'not_found_error', message });
      return { scenario: '-', reason: 'fault' };
    }
    // The real APIs check the key before they look at the body. SDK 1.x sends it as a bearer token.
    if (req.headers['x-api-key'] === 'bad-key' || req.headers.authorization === 'Bearer bad-key') {
      wire.sendFault(ex, requestId, { status: 401, errorType: 'authentication_error', message: wire.badKey });
      return { scenario: '-', reason: 'fault' };
    }
    if (models) {
      sendJson(ex, 200, requestId, modelList(wire.name));
      return { scenario: '-', reason: 'complete' };
    }
    const body = await readBody(req, ex);
    if (body === null) return { scenario: '-', reason: 'client-closed' };
    if (body === 'too-large') {
      wire.sendFault(ex, requestId, {
        status: 413,
        errorType: 'request_too_large',
        message: 'Request exceeds the maximum allowed number of bytes.',
      });
      return { scenario: '-', reason: 'fault' };
    }
    const parsed = await parseRequest({
      wire: wire.name,
      headers: req.headers,
      body,
      requestId,
      defaults,
      replayDir: opts.replayDir,
      replayFile: opts.replayFile,
      countFailure,
    });
    if (!parsed.ok) {
      wire.sendFault(ex, requestId, parsed.fault);
      return { scenario: parsed.scenario, reason: 'fault' };
    }
    const { req: sim } = parsed;
    const scenario = scenarioOf(sim.scenario);
    if (scenario.kind === 'reject') {
      wire.sendFault(ex, requestId, scenario.fault(parsed.retryAfter));
      return { scenario: sim.scenario, reason: 'fault' };
    }
    const rendering = wire.rendering(parsed);
    const steps = scenario.steps(sim);
    if (!parsed.stream) {
      return {
        scenario: sim.scenario,
        reason: await answerJson(steps, ex, sim, rendering.fold(), wire.sendFault),
      };
    }

    const headers: Record<string, string> = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'request-id': requestId,
      'x-request-id': requestId,
    };
    if (parsed.accelBuffering ?? opts.accelBufferingNo ?? false) headers['x-accel-buffering'] = 'no';
    res.writeHead(200, headers);
    res.flushHeaders();
    const reason = await writeStream(rendering.steps(steps), ex, {
      requestId,
      pingMs: parsed.pingMs,
      onWrite: opts.onWrite,
      ping: rendering.ping,
    });
    return { scenario: sim.scenario, reason };
  }

  const server = createServer((req, res) => {
    const requestId = `req_sim_${randomBytes(12).toString('base64url')}`;
    const ex = new Exchange(res);
    const path = dialectByPath(req, (req.url ?? '').split('?')[0] ?? '');
    const wire = wireOf(req, path);
    const done = serve(req, res, ex, requestId, path, wire)
      .catch((err: unknown): Outcome => {
        // A bug in a scenario must not take the server down; the client sees a 500 or a cut stream.
        if (!res.headersSent) {
          const message = `The simulated provider failed: ${err instanceof Error ? err.message : String(err)}`;
          wire.sendFault(ex, requestId, { status: 500, errorType: 'api_error', message });
        } else res.destroy();
        return { scenario: '-', reason: 'fault' };
      })
      .then(({ scenario, reason }) => {
        const purpose = req.headers[PURPOSE_HEADER];
        record({
          ...(typeof purpose === 'string' ? { purpose } : {}),
          sim: 'end',
          requestId,
          scenario,
          wire: wire.name,
          tokensGenerated: ex.tokens,
          reason,
          bytesWritten: ex.bytesWritten,
        });
      });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    entries,
    waitForEnd(requestId) {
      const found = entries.find((e) =>
        requestId !== undefined ? e.requestId === requestId : !returned.has(e),
      );
      if (found) {
        returned.add(found);
        return Promise.resolve(found);
      }
      return new Promise((resolve) => waiters.push({ requestId, resolve }));
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, ...inFlight]);
    },
  };
}
