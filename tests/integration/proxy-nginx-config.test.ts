// The rendered nginx configs, per profile: the directives that cause or cure buffering, and the
// ones that keep nginx unprivileged inside its own prefix on 127.0.0.1.
import { describe, expect, test } from 'vitest';
import { profileExplanation, renderNginxConfig, type NginxProfile } from '../../src/main/proxy';
import { NGINX_PROFILES } from '../../src/shared/protocol';

const PREFIX = '/tmp/sluice-nginx/front-AbC123';
const render = (profile: NginxProfile, extra: { url?: string; readTimeoutSec?: number } = {}) =>
  renderNginxConfig({
    profile,
    upstream: { url: extra.url ?? 'http://127.0.0.1:9000' },
    port: 41234,
    prefix: PREFIX,
    ...(extra.readTimeoutSec === undefined ? {} : { readTimeoutSec: extra.readTimeoutSec }),
  });
/** Directive lines only: what nginx acts on, without comments or blank lines. */
const directives = (config: string) =>
  config
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
const BUFFERING_KNOBS = /proxy_buffering|proxy_http_version|proxy_cache|gzip|proxy_read_timeout|X-Accel/;

describe.each(NGINX_PROFILES)('every profile: %s', (profile) => {
  const config = render(profile);

  test('names its profile in the header comment', () => {
    expect(config.split('\n')[0]).toBe(`# Sluice nginx front — profile: ${profile}`);
  });

  test('listens on loopback only, once, and keeps every file inside its prefix', () => {
    expect(directives(config).filter((l) => l.startsWith('listen'))).toEqual(['listen 127.0.0.1:41234;']);
    const paths = [...config.matchAll(/"(\/[^"]*)"/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThanOrEqual(9);
    for (const p of paths) expect(p.startsWith(`${PREFIX}/`)).toBe(true);
    for (const d of ['pid', 'error_log', 'access_log', 'client_body_temp_path', 'proxy_temp_path']) {
      expect(directives(config).some((l) => l.startsWith(`${d} "${PREFIX}/`))).toBe(true);
    }
    expect(directives(config)).toEqual(expect.arrayContaining(['daemon off;', 'master_process off;']));
  });

  test('proxies to the upstream with its Host', () => {
    expect(directives(config)).toEqual(
      expect.arrayContaining(['proxy_pass http://127.0.0.1:9000;', 'proxy_set_header Host 127.0.0.1:9000;']),
    );
  });
});

test('buffered: a stock proxy block — no buffering knob is touched, so nginx defaults (buffering on) apply', () => {
  const config = render('buffered');
  expect(directives(config).filter((l) => BUFFERING_KNOBS.test(l))).toEqual([]);
  expect(config).toContain('proxy_buffering is on (nginx default)');
});

test('buffered-gzip: buffered plus gzip for text/event-stream, buffering left on', () => {
  expect(directives(render('buffered-gzip')).filter((l) => BUFFERING_KNOBS.test(l))).toEqual([
    'gzip on;',
    'gzip_types text/event-stream;',
    'gzip_min_length 0;',
    'gzip_proxied any;',
  ]);
});

test('streaming: buffering off, HTTP/1.1 keep-alive to the upstream, no gzip, an hour of read timeout', () => {
  expect(
    directives(render('streaming')).filter((l) => BUFFERING_KNOBS.test(l) || l.includes('Connection')),
  ).toEqual([
    'proxy_buffering off;',
    'proxy_cache off;',
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'gzip off;',
    'proxy_read_timeout 3600s;',
  ]);
});

test('readTimeoutSec overrides proxy_read_timeout in every profile', () => {
  for (const profile of NGINX_PROFILES) {
    const lines = directives(render(profile, { readTimeoutSec: 5 }));
    expect(lines.filter((l) => l.startsWith('proxy_read_timeout'))).toEqual(['proxy_read_timeout 5s;']);
  }
});

test('header-cure: the same directives as buffered; only the comment names X-Accel-Buffering', () => {
  expect(directives(render('header-cure'))).toEqual(directives(render('buffered')));
  expect(render('header-cure')).toContain('X-Accel-Buffering: no');
});

test('an https upstream gets SNI, its own Host and TLS name', () => {
  const lines = directives(render('streaming', { url: 'https://api.anthropic.com' }));
  expect(lines).toEqual(
    expect.arrayContaining([
      'proxy_pass https://api.anthropic.com;',
      'proxy_set_header Host api.anthropic.com;',
      'proxy_ssl_server_name on;',
      'proxy_ssl_name api.anthropic.com;',
    ]),
  );
  expect(lines.some((l) => l.startsWith('proxy_ssl_verify'))).toBe(false);
});

test('a CA bundle turns upstream certificate verification on', () => {
  const config = renderNginxConfig({
    profile: 'buffered',
    upstream: { url: 'https://api.anthropic.com' },
    port: 1,
    prefix: PREFIX,
    caBundle: '/etc/ssl/certs/ca-certificates.crt',
  });
  expect(directives(config)).toEqual(
    expect.arrayContaining([
      'proxy_ssl_verify on;',
      'proxy_ssl_trusted_certificate "/etc/ssl/certs/ca-certificates.crt";',
    ]),
  );
});

test('an upstream base path is kept; a non-http upstream is refused', () => {
  expect(render('buffered', { url: 'http://127.0.0.1:9000/sim' })).toContain(
    'proxy_pass http://127.0.0.1:9000/sim/;',
  );
  expect(() => render('buffered', { url: 'ftp://127.0.0.1' })).toThrow(/http:\/\/ or https:\/\//);
});

test('a prefix with spaces or quotes is quoted for nginx', () => {
  const config = renderNginxConfig({
    profile: 'buffered',
    upstream: { url: 'http://127.0.0.1:9' },
    port: 1,
    prefix: '/home/a b/Sluice "x"',
  });
  expect(config).toContain('pid "/home/a b/Sluice \\"x\\"/nginx.pid";');
});

test('as root, nginx is told to stay root instead of looking up an unprivileged user', () => {
  const config = renderNginxConfig({
    profile: 'buffered',
    upstream: { url: 'http://127.0.0.1:9' },
    port: 1,
    prefix: PREFIX,
    user: 'root',
  });
  expect(directives(config)).toContain('user root;');
  expect(directives(render('buffered')).some((l) => l.startsWith('user '))).toBe(false);
});

test('each profile explains the directive that causes buffering and the one that cures it', () => {
  expect(profileExplanation('buffered').causes).toContain('proxy_buffering on');
  expect(profileExplanation('buffered').cure).toContain('proxy_buffering off;');
  expect(profileExplanation('buffered-gzip').causes).toContain('gzip_types text/event-stream');
  expect(profileExplanation('buffered-gzip').cure).toContain('gzip off;');
  expect(profileExplanation('streaming').causes).toMatch(/^Nothing/);
  expect(profileExplanation('header-cure').cure).toContain('X-Accel-Buffering: no');
});

test('the streaming config, exactly', () => {
  expect(render('streaming')).toMatchInlineSnapshot(`
    "# Sluice nginx front — profile: streaming
    # What matters: proxy_buffering off; — each read from the upstream is passed on at once;
    # proxy_http_version 1.1 and a long proxy_read_timeout keep a slow stream alive.

    daemon off;
    # One process and no workers: the pid Sluice holds is the only process to stop.
    master_process off;
    worker_processes 1;
    pid "/tmp/sluice-nginx/front-AbC123/nginx.pid";
    lock_file "/tmp/sluice-nginx/front-AbC123/nginx.lock";
    error_log "/tmp/sluice-nginx/front-AbC123/error.log" warn;

    events {}

    http {
        access_log "/tmp/sluice-nginx/front-AbC123/access.log";
        client_body_temp_path "/tmp/sluice-nginx/front-AbC123/client_body_temp";
        proxy_temp_path "/tmp/sluice-nginx/front-AbC123/proxy_temp";
        fastcgi_temp_path "/tmp/sluice-nginx/front-AbC123/fastcgi_temp";
        uwsgi_temp_path "/tmp/sluice-nginx/front-AbC123/uwsgi_temp";
        scgi_temp_path "/tmp/sluice-nginx/front-AbC123/scgi_temp";
        # Long conversations are large requests; the API itself accepts up to 32 MB.
        client_max_body_size 32m;

        server {
            listen 127.0.0.1:41234;

            location = /__sluice_health {
                access_log off;
                default_type text/plain;
                return 200 'sluice front-AbC123';
            }

            location / {
                proxy_pass http://127.0.0.1:9000;
                proxy_set_header Host 127.0.0.1:9000;
                proxy_buffering off;
                proxy_cache off;
                proxy_http_version 1.1;
                proxy_set_header Connection "";
                gzip off;
                proxy_read_timeout 3600s;
            }
        }
    }
    "
  `);
});
