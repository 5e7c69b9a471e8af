// The managed nginx front's vocabulary: options, the running front, and typed errors.
import type { NginxProfile } from '../../shared/protocol';

export type { NginxProfile };

export type NginxUpstream = {
  /** `http://127.0.0.1:PORT` (the simulated provider) or `https://api.anthropic.com`. */
  url: string;
};

export type NginxFrontOptions = {
  profile: NginxProfile;
  upstream: NginxUpstream;
  /** A configured nginx binary; without it PATH and the usual sbin folders are searched. */
  nginxPath?: string;
  /** proxy_read_timeout override in seconds (the heartbeat check shortens it on purpose). */
  readTimeoutSec?: number;
  /** Where prefix folders live; default `os.tmpdir()/sluice-nginx`. */
  baseDir?: string;
  /** How long nginx may take to answer its health check; default 5000 ms. */
  startTimeoutMs?: number;
};

export type NginxFront = {
  /** `http://127.0.0.1:PORT`: point a client here instead of at the upstream. */
  url: string;
  port: number;
  /** nginx's own folder: config, pid, logs, temp paths. Removed by stop(). */
  prefix: string;
  /** The exact config text nginx runs with. */
  config: string;
  pid: number;
  /** Ends nginx (SIGQUIT → SIGTERM → SIGKILL), waits for it to exit, removes the prefix. Idempotent. */
  stop(): Promise<void>;
};

export type NginxErrorType = 'nginx_missing' | 'nginx_broken' | 'nginx_start_failed' | 'nginx_timeout';

export type NginxError = {
  type: NginxErrorType;
  /** What happened and how to fix it, for a person. */
  message: string;
  /** nginx's own words (stderr, error.log), when there are any. */
  detail?: string;
};

/** What startNginxFront rejects with; the typed value is in `.error`. */
export class NginxStartError extends Error {
  readonly error: NginxError;

  constructor(error: NginxError) {
    super(error.message);
    this.name = 'NginxStartError';
    this.error = error;
  }
}

/** Ends every message: nginx is an optional lab, never a reason to stop chatting. */
export const KEEPS_WORKING = 'Sluice keeps working direct.';
