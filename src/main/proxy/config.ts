// Renders the nginx config for each profile. Pure: the text returned is exactly what nginx runs,
// so the UI and reports can show it. Everything outside `location /` only makes nginx run
// unprivileged from its own prefix; inside it, each profile differs by the directives that matter.
import type { NginxProfile, NginxUpstream } from './types';

export type RenderOptions = {
  profile: NginxProfile;
  upstream: NginxUpstream;
  port: number;
  prefix: string;
  readTimeoutSec?: number;
  /** Emitted as `user NAME;` — only when nginx starts as root (see front.ts). */
  user?: string;
  /** CA bundle for verifying an https upstream; without it nginx's default (no verification) stands. */
  caBundle?: string;
};

export const HEALTH_PATH = '/__sluice_health';
export const STREAMING_READ_TIMEOUT_SEC = 3600;

const EXPLANATIONS: Record<NginxProfile, { causes: string; cure: string }> = {
  buffered: {
    causes:
      'proxy_buffering on (nginx default, not set in this config): nginx holds the upstream response in ' +
      'proxy_buffers (8 × 4k|8k) and passes it on only when they fill or the upstream finishes, so a stream ' +
      'of a few KB arrives as one lump at the end.',
    cure:
      'proxy_buffering off; (with proxy_http_version 1.1; and proxy_set_header Connection "";) in the location ' +
      'that proxies the API, or have the upstream send the response header X-Accel-Buffering: no.',
  },
  'buffered-gzip': {
    causes:
      'gzip on; gzip_types text/event-stream; on top of proxy_buffering on: the gzip filter compresses into its ' +
      'own gzip_buffers and emits only when they fill or the response ends, so events arrive in one lump.',
    cure: 'gzip off; (or remove text/event-stream from gzip_types) and proxy_buffering off; in that location.',
  },
  streaming: {
    causes:
      'Nothing: proxy_buffering off; makes nginx pass each read from the upstream to the client at once.',
    cure:
      'Already cured: proxy_buffering off; proxy_cache off; proxy_http_version 1.1; ' +
      'proxy_set_header Connection ""; gzip off; proxy_read_timeout 3600s;',
  },
  'header-cure': {
    causes:
      'The config buffers exactly like "buffered": proxy_buffering on (nginx default) holds the response in ' +
      'proxy_buffers until they fill or the upstream finishes.',
    cure:
      'The upstream response header X-Accel-Buffering: no — nginx turns buffering off for that one response ' +
      '(unless proxy_ignore_headers X-Accel-Buffering is set), with no config change.',
  },
};

export function profileExplanation(profile: NginxProfile): { causes: string; cure: string } {
  return EXPLANATIONS[profile];
}

export function renderNginxConfig(opts: RenderOptions): string {
  const up = parseUpstream(opts.upstream.url);
  const p = (name: string) => quote(joinPrefix(opts.prefix, name));
  const top = [
    ...headerComment(opts.profile),
    '',
    'daemon off;',
    '# One process and no workers: the pid Sluice holds is the only process to stop.',
    'master_process off;',
    'worker_processes 1;',
    ...(opts.user === undefined ? [] : [`user ${opts.user};`]),
    `pid ${p('nginx.pid')};`,
    `lock_file ${p('nginx.lock')};`,
    `error_log ${p('error.log')} warn;`,
    '',
    'events {}',
    '',
    'http {',
  ];
  const http = [
    `access_log ${p('access.log')};`,
    `client_body_temp_path ${p('client_body_temp')};`,
    `proxy_temp_path ${p('proxy_temp')};`,
    `fastcgi_temp_path ${p('fastcgi_temp')};`,
    `uwsgi_temp_path ${p('uwsgi_temp')};`,
    `scgi_temp_path ${p('scgi_temp')};`,
    '# Long conversations are large requests; the API itself accepts up to 32 MB.',
    'client_max_body_size 32m;',
    '',
    'server {',
    `    listen 127.0.0.1:${opts.port};`,
    '',
    `    location = ${HEALTH_PATH} {`,
    '        access_log off;',
    '        default_type text/plain;',
    `        return 200 '${healthToken(opts.prefix)}';`,
    '    }',
    '',
    '    location / {',
    ...locationBody(opts, up).map((line) => (line === '' ? '' : `        ${line}`)),
    '    }',
    '}',
  ];
  return [...top, ...http.map((line) => (line === '' ? '' : `    ${line}`)), '}', ''].join('\n');
}

/** What the health location answers: unique per prefix, so a stranger on the port is never mistaken for us. */
export function healthToken(prefix: string): string {
  const name = prefix.split(/[\\/]/).filter(Boolean).pop() ?? 'front';
  return `sluice ${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

function headerComment(profile: NginxProfile): string[] {
  const lines: Record<NginxProfile, string[]> = {
    buffered: [
      'What matters: proxy_buffering is on (nginx default) — nginx holds the stream in proxy_buffers',
      '(8 × 4k|8k) until they fill or the upstream finishes. Cure: proxy_buffering off;',
    ],
    'buffered-gzip': [
      'What matters: gzip on; gzip_types text/event-stream; — the gzip filter buffers the stream on top',
      'of proxy_buffering on (nginx default). Cure: gzip off; and proxy_buffering off;',
    ],
    streaming: [
      'What matters: proxy_buffering off; — each read from the upstream is passed on at once;',
      'proxy_http_version 1.1 and a long proxy_read_timeout keep a slow stream alive.',
    ],
    'header-cure': [
      'What matters: nothing here — this is the "buffered" config (proxy_buffering on by default).',
      'The cure is the upstream response header X-Accel-Buffering: no, which nginx honours per response.',
    ],
  };
  return [`# Sluice nginx front — profile: ${profile}`, ...lines[profile].map((l) => `# ${l}`)];
}

function locationBody(opts: RenderOptions, up: ParsedUpstream): string[] {
  const lines = [`proxy_pass ${up.proxyPass};`, `proxy_set_header Host ${up.host};`];
  if (up.https) {
    lines.push('proxy_ssl_server_name on;', `proxy_ssl_name ${up.hostname};`);
    if (opts.caBundle !== undefined) {
      lines.push('proxy_ssl_verify on;', `proxy_ssl_trusted_certificate ${quote(opts.caBundle)};`);
    }
  }
  if (opts.profile === 'buffered-gzip') {
    lines.push('gzip on;', 'gzip_types text/event-stream;', 'gzip_min_length 0;', 'gzip_proxied any;');
  }
  if (opts.profile === 'streaming') {
    lines.push(
      'proxy_buffering off;',
      'proxy_cache off;',
      'proxy_http_version 1.1;',
      'proxy_set_header Connection "";',
      'gzip off;',
      `proxy_read_timeout ${opts.readTimeoutSec ?? STREAMING_READ_TIMEOUT_SEC}s;`,
    );
  } else if (opts.readTimeoutSec !== undefined) {
    lines.push(`proxy_read_timeout ${opts.readTimeoutSec}s;`);
  }
  return lines;
}

type ParsedUpstream = { https: boolean; host: string; hostname: string; proxyPass: string };

/** Throws a plain Error with a human message on a URL nginx could not proxy to. */
export function parseUpstream(raw: string): ParsedUpstream {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`The upstream "${raw}" is not a URL; expected http://127.0.0.1:PORT or https://host.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The upstream "${raw}" must be an http:// or https:// URL.`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(`The upstream "${raw}" must not carry credentials, a query or a fragment.`);
  }
  // A base path maps `/x` to `/base/x`; without one nginx passes the request URI unchanged.
  const base = url.pathname === '/' ? '' : url.pathname.replace(/\/?$/, '/');
  return {
    https: url.protocol === 'https:',
    host: url.host,
    hostname: url.hostname,
    proxyPass: `${url.protocol}//${url.host}${base}`,
  };
}

function joinPrefix(prefix: string, name: string): string {
  return `${prefix.replace(/[\\/]+$/, '')}/${name}`;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
