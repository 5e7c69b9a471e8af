// Starts and stops one managed nginx: a fresh prefix, a free loopback port, `nginx -t` first so a
// broken binary or config fails with nginx's own words, then a health check with a deadline.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { HEALTH_PATH, healthToken, parseUpstream, renderNginxConfig } from './config';
import { findNginx } from './find';
import { guard } from './guard';
import { writeOwner, type OwnerRecord } from './owner';
import { pickFreePort, sleep, STOP_STEPS, terminate } from '../system/processes';
import { defaultBaseDir } from './stale';
import { KEEPS_WORKING, NginxStartError, type NginxFront, type NginxFrontOptions } from './types';

const PORT_ATTEMPTS = 3;
const DEFAULT_START_TIMEOUT_MS = 5_000;
const CA_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
];

export async function startNginxFront(opts: NginxFrontOptions): Promise<NginxFront> {
  const found = await findNginx(opts.nginxPath);
  if (!found.ok) throw new NginxStartError(found.error);
  try {
    parseUpstream(opts.upstream.url);
  } catch (err) {
    throw startFailed(`${(err as Error).message} ${KEEPS_WORKING}`);
  }
  const baseDir = path.resolve(opts.baseDir ?? defaultBaseDir());
  // nginx would read `$` as a variable and `"` or a newline would break the quoting.
  if (/["$\n\r]/.test(baseDir)) {
    throw startFailed(
      `The nginx folder ${JSON.stringify(baseDir)} contains a character nginx cannot take ($, " or a newline). ${KEEPS_WORKING}`,
    );
  }
  await mkdir(baseDir, { recursive: true });
  const prefix = await mkdtemp(path.join(baseDir, 'front-'));
  const owner: OwnerRecord = {
    app: 'sluice',
    ownerPid: process.pid,
    ownerStartedAt: new Date().toISOString(),
    nginxPid: null,
    nginxPath: found.path,
    prefix,
  };
  try {
    await writeOwner(prefix, owner);
    return await launch(found.path, prefix, owner, opts);
  } catch (err) {
    await rm(prefix, { recursive: true, force: true });
    throw err;
  }
}

async function launch(
  binary: string,
  prefix: string,
  owner: OwnerRecord,
  opts: NginxFrontOptions,
): Promise<NginxFront> {
  const files = { config: path.join(prefix, 'nginx.conf'), errorLog: path.join(prefix, 'error.log') };
  const args = ['-p', prefix + path.sep, '-c', files.config, '-e', files.errorLog];
  const caBundle = opts.upstream.url.startsWith('https:') ? CA_BUNDLES.find((f) => existsSync(f)) : undefined;
  const render = (port: number) =>
    renderNginxConfig({
      profile: opts.profile,
      upstream: opts.upstream,
      port,
      prefix,
      ...(opts.readTimeoutSec === undefined ? {} : { readTimeoutSec: opts.readTimeoutSec }),
      // As root nginx would look up "nobody" to drop to; with no workers there is nothing to drop.
      ...(process.getuid?.() === 0 ? { user: os.userInfo().username } : {}),
      ...(caBundle === undefined ? {} : { caBundle }),
    });

  for (let attempt = 1; ; attempt++) {
    const port = await pickFreePort();
    const config = render(port);
    await writeFile(files.config, config);
    if (attempt === 1) await testConfig(binary, args, files.errorLog);
    // Each attempt's failure must be judged by its own log lines, not an earlier port's.
    await writeFile(files.errorLog, '');

    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
    const run = watch(child);
    const spawned = await run.spawned;
    if (spawned !== null) throw startFailed(`Could not run ${binary}: ${spawned.message}. ${KEEPS_WORKING}`);
    const pid = child.pid as number;
    const unguard = guard({ pid, prefix });
    const kill = async () => {
      await terminate(pid, STOP_STEPS, () => run.exited);
      unguard();
    };
    let handedOver = false;
    try {
      await writeOwner(prefix, { ...owner, nginxPid: pid });
      const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
      const ready = await waitReady(port, healthToken(prefix), () => run.exited, timeoutMs);
      if (ready === 'ready') {
        handedOver = true;
        return front({ port, prefix, config, pid, kill });
      }
      const log = await nginxSaid(files.errorLog, run.stderr());
      if (ready === 'exited' && /in use/i.test(log) && attempt < PORT_ATTEMPTS) continue;
      throw ready === 'exited'
        ? startFailed(`nginx exited while starting on 127.0.0.1:${port} (see detail). ${KEEPS_WORKING}`, log)
        : new NginxStartError({
            type: 'nginx_timeout',
            message: `nginx did not answer on 127.0.0.1:${port} within ${timeoutMs} ms. ${KEEPS_WORKING}`,
            ...(log ? { detail: log } : {}),
          });
    } finally {
      if (!handedOver) await kill();
    }
  }
}

function front(args: {
  port: number;
  prefix: string;
  config: string;
  pid: number;
  kill: () => Promise<void>;
}): NginxFront {
  let stopping: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${args.port}`,
    port: args.port,
    prefix: args.prefix,
    config: args.config,
    pid: args.pid,
    stop() {
      stopping ??= (async () => {
        await args.kill();
        await rm(args.prefix, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

type Watched = { spawned: Promise<Error | null>; readonly exited: boolean; stderr(): string };

/** Follows a child without keeping Node alive for it: the exit guard, not the event loop, ends nginx. */
function watch(child: ChildProcess): Watched {
  let exited = false;
  let stderr = '';
  child.once('exit', () => (exited = true));
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
  const spawned = new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => {
      exited = true;
      resolve(err);
    });
  });
  child.unref();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  return {
    spawned,
    get exited() {
      return exited;
    },
    stderr: () => stderr,
  };
}

/** `nginx -t`: a binary that cannot load modules or a config it rejects fails here, in nginx's words. */
async function testConfig(binary: string, args: string[], errorLog: string): Promise<void> {
  const result = await new Promise<{ ok: boolean; output: string }>((resolve) => {
    execFile(binary, ['-t', ...args], { timeout: 10_000, windowsHide: true }, (err, stdout, stderr) =>
      resolve({ ok: err === null, output: `${stderr}${stdout}`.trim() }),
    );
  });
  if (result.ok) return;
  const log = await nginxSaid(errorLog, result.output);
  const first =
    log.split('\n').find((line) => /\[emerg\]|\[alert\]|\[crit\]|failed|error/i.test(line)) ??
    log.split('\n')[0];
  throw new NginxStartError({
    type: 'nginx_broken',
    message:
      `nginx rejected Sluice's configuration (nginx -t failed${first ? `: ${first.trim()}` : ''}). ` +
      `Check the nginx install or the nginx path in Settings. ${KEEPS_WORKING}`,
    ...(log ? { detail: log } : {}),
  });
}

type Readiness = 'ready' | 'exited' | 'timeout';

async function waitReady(
  port: number,
  token: string,
  exited: () => boolean,
  timeoutMs: number,
): Promise<Readiness> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (exited()) return 'exited';
    if ((await healthBody(port)) === token) return 'ready';
    await sleep(20);
  }
  return exited() ? 'exited' : 'timeout';
}

function healthBody(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: HEALTH_PATH, timeout: 1_000, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(res.statusCode === 200 ? body : null));
        res.on('error', () => resolve(null));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** error.log (where -e sends nginx's complaints) plus whatever reached stderr. */
async function nginxSaid(errorLog: string, stderr: string): Promise<string> {
  const log = await readFile(errorLog, 'utf8').catch(() => '');
  return [log.trim(), stderr.trim()].filter(Boolean).join('\n').slice(-4_000);
}

function startFailed(message: string, detail?: string): NginxStartError {
  return new NginxStartError({ type: 'nginx_start_failed', message, ...(detail ? { detail } : {}) });
}
