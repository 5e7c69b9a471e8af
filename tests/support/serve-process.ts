// `sluice serve` as a real child process, for the tests and the soak that kill it: spawned with
// Node and tsx as a loader (not the tsx CLI, which would put a second process in between and take
// the SIGKILL meant for the server), its output collected, its URL and token read off stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AssistantMessage, RelayEvent } from '../../src/shared/protocol';
import { parseSse, rawRequest } from './serve';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type ServeChild = {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Kills it (SIGKILL) if it still runs, and waits for its exit. */
  stop: () => Promise<void>;
};

export type Served = ServeChild & { port: number; token: string };

/** Starts `sluice serve` on `dataDir`; resolves at once, before it listens (or refuses to). */
export function spawnServeChild(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
): ServeChild {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/main/cli.ts',
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--no-build',
      ...args,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], HOME: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Starts `sluice serve` on `dataDir` and resolves once it prints its URL. */
export async function spawnServe(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
): Promise<Served> {
  const served = spawnServeChild(dataDir, env, args);
  const url = await new Promise<URL>((resolve, reject) => {
    const look = () => {
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(served.output());
      if (match) resolve(new URL(match[0]));
    };
    served.child.stdout?.on('data', look);
    void served.exited.then(() => reject(new Error(`sluice serve exited early:\n${served.output()}`)));
  });
  return { ...served, port: Number(url.port), token: url.searchParams.get('token') ?? '' };
}

export const callServe = (s: Served, method: string, path: string, body?: unknown) =>
  rawRequest(
    s.port,
    method,
    path,
    { host: `127.0.0.1:${s.port}`, authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body === undefined ? undefined : JSON.stringify(body),
  );

/** Starts a turn and reads it until `until` says stop; the response keeps streaming behind. */
export function streamUntil(s: Served, text: string, until: (events: RelayEvent[]) => boolean) {
  return new Promise<{ res: IncomingMessage; raw: () => string }>((resolve, reject) => {
    let raw = '';
    let resolved = false;
    const req = request(
      {
        host: '127.0.0.1',
        port: s.port,
        method: 'POST',
        path: '/api/turns',
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          raw += c;
          if (!resolved && until(parseSse(raw).events)) {
            resolved = true;
            resolve({ res, raw: () => raw });
          }
        });
        res.on('error', () => {});
      },
    );
    req.on('error', (err) => reject(err));
    req.end(JSON.stringify({ action: 'send', conversationId: null, text }));
  });
}

/** How many text deltas the events hold. */
export const textDeltas = (events: RelayEvent[]) =>
  events.filter((e) => e.type === 'provider' && e.event.type === 'content_block_delta').length;

export const answerText = (m: AssistantMessage) =>
  m.steps
    .flatMap((s) => s.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');
