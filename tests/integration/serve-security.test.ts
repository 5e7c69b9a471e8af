// Who may use `sluice serve`, what a bad request gets back, and what never leaves it: the token,
// Host and Origin checks, no CORS, validation errors, static-file safety, and the API key.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { envKeySource } from '../../src/main/chat/target';
import { RENDERER_CSP } from '../../src/main/server/static';
import { parseSse, rawRequest, servePerTest, type Reply } from '../support/serve';

const serve = servePerTest();

const API: [string, string, unknown?][] = [
  ['GET', '/api/health'],
  ['GET', '/api/conversations'],
  ['GET', '/api/conversations/x'],
  ['PATCH', '/api/conversations/x', { title: 't' }],
  ['DELETE', '/api/conversations/x'],
  ['GET', '/api/settings'],
  ['PATCH', '/api/settings', { maxTokens: 100 }],
  ['POST', '/api/turns', { action: 'send', conversationId: null, text: 'hi' }],
  ['POST', '/api/turns/x/abort'],
];

const corsHeaders = (r: Reply) => Object.keys(r.headers).filter((h) => h.startsWith('access-control-'));

describe('the access token', () => {
  test('every API endpoint refuses a request without the token, or with a wrong one, or with it only in the query', async () => {
    const s = await serve();
    const wrong = `${s.server.token.slice(0, -1)}${s.server.token.endsWith('A') ? 'B' : 'A'}`;
    for (const [method, path, body] of API) {
      for (const [headers, query] of [
        [{ authorization: null }, ''],
        [{ authorization: `Bearer ${wrong}` }, ''],
        [{ authorization: null, 'x-sluice-token': wrong }, ''],
        [{ authorization: null }, `?token=${s.server.token}`],
      ] as const) {
        const reply = await s.call(method, `${path}${query}`, body, headers);
        expect(reply.status, `${method} ${path}${query}`).toBe(401);
        expect(reply.headers['www-authenticate']).toBe('Bearer');
        expect(reply.json).toMatchObject({ error: { type: 'unauthorized' } });
      }
    }
    expect(s.simLog).toHaveLength(0);
    expect(await s.conversations.list()).toEqual([]);
  });

  test('the token is accepted as a Bearer header or as X-Sluice-Token', async () => {
    const s = await serve();
    expect((await s.call('GET', '/api/health')).json).toEqual({ ok: true });
    const viaHeader = await s.call('GET', '/api/health', undefined, {
      authorization: null,
      'x-sluice-token': s.server.token,
    });
    expect(viaHeader.status).toBe(200);
  });

  test('the page and its assets need no token (a reload has none in the address bar)', async () => {
    const s = await serve();
    expect((await s.call('GET', '/', undefined, { authorization: null })).status).toBe(200);
    expect((await s.call('GET', '/assets/app.js', undefined, { authorization: null })).status).toBe(200);
  });

  test('the printed URL is the page with a 32-byte base64url token', async () => {
    const s = await serve();
    expect(s.server.url).toBe(`http://127.0.0.1:${s.server.port}/?token=${s.server.token}`);
    expect(Buffer.from(s.server.token, 'base64url')).toHaveLength(32);
    expect(s.server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('Host and Origin', () => {
  test('a request addressed to another name (DNS rebinding) is refused, page and API alike', async () => {
    const s = await serve();
    for (const host of [
      'evil.example',
      `evil.example:${s.server.port}`,
      `127.0.0.1:${s.server.port + 1}`,
      '127.0.0.1',
    ]) {
      for (const path of ['/', '/api/health']) {
        const reply = await s.call('GET', path, undefined, { host });
        expect(reply.status, `${host} ${path}`).toBe(421);
        expect(reply.json).toMatchObject({ error: { type: 'misdirected' } });
      }
    }
    // HTTP/1.0 may leave Host out altogether.
    const noHost = await new Promise<string>((resolve) => {
      let text = '';
      const socket = connect(s.server.port, '127.0.0.1', () => socket.end('GET / HTTP/1.0\r\n\r\n'));
      socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
      socket.on('close', () => resolve(text));
    });
    expect(noHost.split('\r\n')[0]).toBe('HTTP/1.1 421 Misdirected Request');
    expect(
      (await s.call('GET', '/api/health', undefined, { host: `localhost:${s.server.port}` })).status,
    ).toBe(200);
  });

  test('a cross-origin request is refused; the page’s own origins are not', async () => {
    const s = await serve();
    const turn = { action: 'send', conversationId: null, text: 'hi' };
    for (const origin of [
      'http://evil.example',
      `http://127.0.0.1:${s.server.port + 1}`,
      `https://127.0.0.1:${s.server.port}`,
      'null',
    ]) {
      const reply = await s.call('POST', '/api/turns', turn, { origin });
      expect(reply.status, origin).toBe(403);
      expect(reply.json).toMatchObject({ error: { type: 'forbidden_origin' } });
    }
    expect(s.simLog).toHaveLength(0);
    for (const origin of [`http://127.0.0.1:${s.server.port}`, `http://localhost:${s.server.port}`]) {
      expect((await s.call('GET', '/api/settings', undefined, { origin })).status).toBe(200);
    }
  });

  test('CORS is never opened: no Access-Control-* header on any answer, preflight included', async () => {
    const s = await serve();
    const replies: Reply[] = [
      await s.call('OPTIONS', '/api/turns', undefined, {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      }),
      await s.call('OPTIONS', '/api/turns', undefined, { origin: `http://127.0.0.1:${s.server.port}` }),
      await s.call('GET', '/api/settings', undefined, { origin: 'http://evil.example' }),
      await s.call('GET', '/api/settings', undefined, { origin: `http://localhost:${s.server.port}` }),
      await s.call('POST', '/api/turns', { action: 'send', conversationId: null, text: 'hi' }),
      await s.call('GET', '/'),
    ];
    expect(replies.map((r) => r.status)).toEqual([403, 405, 403, 200, 200, 200]);
    for (const reply of replies) expect(corsHeaders(reply)).toEqual([]);
  });
});

describe('bad requests', () => {
  test('bad JSON, a bad action, an empty message, the wrong content type: 4xx with what is wrong', async () => {
    const s = await serve();
    const badJson = await s.call('POST', '/api/turns', '{"action": "send",');
    expect(badJson.status).toBe(400);
    expect(badJson.json).toMatchObject({ error: { type: 'invalid_request', issues: [] } });
    expect((badJson.json as { error: { message: string } }).error.message).toMatch(/not valid JSON/);

    const badAction = await s.call('POST', '/api/turns', { action: 'dance', conversationId: null });
    expect(badAction.status).toBe(400);
    expect(badAction.json).toMatchObject({
      error: { type: 'invalid_request', issues: [{ path: 'action' }] },
    });

    const empty = await s.call('POST', '/api/turns', { action: 'send', conversationId: null, text: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({
      error: { type: 'invalid_request', issues: [{ path: 'text', message: 'The message is empty.' }] },
    });

    const form = await s.call('POST', '/api/turns', 'action=send', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.json).toMatchObject({ error: { type: 'unsupported_media_type' } });

    expect(s.simLog).toHaveLength(0);
    expect(await s.conversations.list()).toEqual([]);
  });

  test('invalid settings: 400 with every issue, and nothing saved', async () => {
    const s = await serve();
    const before = await s.call('GET', '/api/settings');
    const onDisk = await readFile(`${s.dataDir}/settings.json`, 'utf8');
    const reply = await s.call('PATCH', '/api/settings', {
      maxTokens: 10,
      thinking: { enabled: true, budgetTokens: 2048 },
      pingIntervalMs: 5,
      colour: 'blue',
    });
    expect(reply.status).toBe(400);
    const error = (reply.json as { error: { type: string; issues: { path: string; message: string }[] } })
      .error;
    expect(error.type).toBe('invalid_request');
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['pingIntervalMs', '(settings)']));
    expect((await s.call('GET', '/api/settings')).json).toEqual(before.json);
    expect(await readFile(`${s.dataDir}/settings.json`, 'utf8')).toBe(onDisk);

    const superRefined = await s.call('PATCH', '/api/settings', {
      maxTokens: 2000,
      thinking: { enabled: true, budgetTokens: 4096 },
    });
    expect(superRefined.json).toMatchObject({
      error: {
        issues: [
          { path: 'thinking.budgetTokens', message: 'The thinking budget must be smaller than max tokens.' },
        ],
      },
    });
    expect((await s.call('GET', '/api/settings')).json).toEqual(before.json);
  });

  test('an oversized body is a 413 that says the limit (not a reset mid-upload), and nothing is stored', async () => {
    const s = await serve();
    const settingsBefore = await readFile(`${s.dataDir}/settings.json`, 'utf8');
    const huge = (mib: number) => 'x'.repeat(mib * 1024 * 1024);
    // A turn may carry attachments, so its limit is higher; the sentence says both limits.
    for (const [method, path, body, limit] of [
      [
        'POST',
        '/api/turns',
        JSON.stringify({ action: 'send', conversationId: null, text: huge(49) }),
        /over 48 MiB.*20 MB of attachments and 1,000,000 characters/,
      ],
      [
        'PATCH',
        '/api/settings',
        JSON.stringify({ systemPrompt: huge(9) }),
        /over 8 MiB.*1,000,000 characters/,
      ],
    ] as const) {
      const reply = await s.call(method, path, body);
      expect(reply.status, path).toBe(413);
      expect(reply.json).toMatchObject({ error: { type: 'payload_too_large' } });
      expect((reply.json as { error: { message: string } }).error.message).toMatch(limit);
    }
    expect(s.simLog).toHaveLength(0);
    expect(await s.conversations.list()).toEqual([]);
    expect(await readFile(`${s.dataDir}/settings.json`, 'utf8')).toBe(settingsBefore);
  });

  test('a body that is JSON but not an object, or cut short, is a 400 and nothing is stored', async () => {
    const s = await serve();
    for (const body of [
      'null',
      '[]',
      '"send"',
      '42',
      'true',
      '{"action":"send","conversationId":null,"text":"hi"',
    ]) {
      const reply = await s.call('POST', '/api/turns', body);
      expect(reply.status, body).toBe(400);
      expect(reply.json, body).toMatchObject({ error: { type: 'invalid_request' } });
      expect((reply.json as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
    }
    expect(s.simLog).toHaveLength(0);
    expect(await s.conversations.list()).toEqual([]);
  });

  test('a conversation id that tries to climb out of the store is refused; nothing outside is read or removed', async () => {
    const s = await serve();
    const settingsBefore = await readFile(`${s.dataDir}/settings.json`, 'utf8');
    const ids = [
      '..',
      '..%2fsettings',
      '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '..%5csettings',
      'a%00b',
      'x'.repeat(101),
      '.json',
    ];
    for (const id of ids) {
      for (const [method, body] of [['GET'], ['PATCH', { title: 't' }], ['DELETE']] as const) {
        const reply = await s.call(method, `/api/conversations/${id}`, body);
        expect([400, 404], `${method} ${id}`).toContain(reply.status);
        expect(reply.text).not.toContain('pingIntervalMs');
        expect(reply.text).not.toContain('root:');
      }
    }
    for (const conversationId of ['../settings', '..\\settings', '/etc/passwd', 'a\u0000b']) {
      for (const action of ['send', 'regenerate', 'continue'] as const) {
        const reply = await s.call('POST', '/api/turns', { action, conversationId, text: 'hi' });
        expect([400, 404], `${action} ${conversationId}`).toContain(reply.status);
        expect(reply.json).toHaveProperty('error.message');
      }
    }
    expect(await readFile(`${s.dataDir}/settings.json`, 'utf8')).toBe(settingsBefore);
    expect(s.simLog).toHaveLength(0);
    expect(await s.conversations.list()).toEqual([]);
  });

  test('unknown endpoints, wrong methods, ended turns', async () => {
    const s = await serve();
    expect((await s.call('GET', '/api/nothing')).status).toBe(404);
    const wrongMethod = await s.call('PUT', '/api/settings', {});
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('GET, PATCH');
    expect((await s.call('POST', '/api/turns/not-a-turn/abort')).status).toBe(404);
    expect((await s.call('PATCH', '/api/conversations/missing', { title: 'x' })).status).toBe(404);
    expect((await s.call('DELETE', '/api/conversations/missing')).status).toBe(404);
  });
});

describe('static files', () => {
  test('the page has the renderer’s CSP, nosniff and no-referrer; assets have their content types', async () => {
    const s = await serve();
    const page = await s.call('GET', '/', undefined, { authorization: null });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(`${RENDERER_CSP}; frame-ancestors 'none'`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('<div id="root">');
    expect((await s.call('GET', '/index.html')).text).toBe(page.text);
    expect((await s.call('GET', '/assets/app.js')).headers['content-type']).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await s.call('GET', '/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await s.call('POST', '/', 'x', { 'content-type': 'text/plain' })).status).toBe(405);
  });

  test('a hashed build file is kept by the browser; the page and any other file are revalidated', async () => {
    const s = await serve();
    const cache = async (path: string) =>
      (await s.call('GET', path, undefined, { authorization: null })).headers['cache-control'];
    expect(await cache('/assets/index-YDIMp8Qn.js')).toBe('public, max-age=31536000, immutable');
    expect(await cache('/assets/index-C47_9Wgi.css')).toBe('public, max-age=31536000, immutable');
    expect(await cache('/')).toBe('no-cache');
    expect(await cache('/index.html')).toBe('no-cache');
    expect(await cache('/assets/app.js')).toBe('no-cache');
  });

  test('the header policy is the one in the renderer’s own meta CSP', async () => {
    const html = await readFile(
      fileURLToPath(new URL('../../src/renderer/index.html', import.meta.url)),
      'utf8',
    );
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(RENDERER_CSP);
  });

  test('no path climbs out of the renderer directory', async () => {
    const s = await serve();
    // The data directory (settings.json, conversations/) is the renderer directory's parent here.
    const attempts = [
      '/../settings.json',
      '/%2e%2e/settings.json',
      '/assets/..%2f..%2fsettings.json',
      '/..%5csettings.json',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/assets/%00.js',
      '/%E0%A4%A',
      '//etc/passwd',
      '/assets/',
    ];
    for (const path of attempts) {
      const reply = await rawRequest(s.server.port, 'GET', path, { host: `127.0.0.1:${s.server.port}` });
      expect(reply.status, path).toBe(404);
      expect(reply.text).not.toContain('pingIntervalMs');
      expect(reply.text).not.toContain('root:');
    }
  });
});

test('the API key never appears in any answer, event or header', async () => {
  const SENTINEL = 'sk-ant-SENTINEL-0123456789-never-show-me';
  const env: NodeJS.ProcessEnv = {};
  const s = await serve({ keys: envKeySource({ ANTHROPIC_API_KEY: SENTINEL }), env });
  const replies: Reply[] = [];
  const record = async (p: Promise<Reply>) => {
    const reply = await p;
    replies.push(reply);
    return reply;
  };

  const view = await record(s.call('GET', '/api/settings'));
  expect(view.json).toMatchObject({ keySet: true, keySource: 'env' });
  // A turn on the simulated provider, and one on the "Anthropic" provider (pointed at the simulator),
  // which sends the key upstream: neither may echo it back.
  const simulated = await record(
    s.call('POST', '/api/turns', { action: 'send', conversationId: null, text: 'hello' }),
  );
  env['ANTHROPIC_BASE_URL'] = await s.service.simulator.url();
  await record(s.call('PATCH', '/api/settings', { provider: 'anthropic', model: 'sim-text' }));
  const real = await record(
    s.call('POST', '/api/turns', { action: 'send', conversationId: null, text: 'hello again' }),
  );
  expect(parseSse(real.text).events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'complete' });
  await record(s.call('PATCH', '/api/settings', { model: 'sim-overloaded-midstream' }));
  const failed = await record(
    s.call('POST', '/api/turns', { action: 'send', conversationId: null, text: 'fail' }),
  );
  expect(parseSse(failed.text).events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'error' });
  await record(s.call('PATCH', '/api/settings', { maxTokens: -1 }));

  const start = parseSse(simulated.text).events[0];
  const id = start?.type === 'turn_start' ? start.conversationId : '';
  for (const [method, path, body] of [
    ['GET', '/api/health'],
    ['GET', '/api/conversations'],
    ['GET', `/api/conversations/${id}`],
    ['PATCH', `/api/conversations/${id}`, { title: 'renamed' }],
    ['GET', '/api/settings'],
    ['POST', '/api/turns/none/abort'],
    ['GET', '/'],
    ['DELETE', `/api/conversations/${id}`],
  ] as [string, string, unknown?][]) {
    await record(s.call(method, path, body));
  }
  await record(s.call('GET', '/api/settings', undefined, { authorization: 'Bearer wrong' }));

  expect(replies.length).toBeGreaterThan(12);
  for (const reply of replies) {
    expect(reply.text).not.toContain(SENTINEL);
    expect(JSON.stringify(reply.headers)).not.toContain(SENTINEL);
  }
  const stored = JSON.stringify(
    await Promise.all((await s.conversations.list()).map((c) => s.conversations.get(c.id))),
  );
  expect(stored).not.toContain(SENTINEL);
});
