// Where a key and the access token could leak from `sluice serve`, with a known fake key and an
// upstream that echoes it back in its 401 (as OpenAI-style servers do: "Incorrect API key
// provided: …"): no answer, event, error sentence, stored file or log line carries it. serve keeps
// no key on disk at all (it reads the provider's variable); the desktop app's encrypted key file is
// owner-only (tests/unit/ipc-secrets.test.ts). The access token is printed once, in the URL on
// stdout, and nowhere else.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, expect, test } from 'vitest';
import { runServe } from '../../src/main/cli/serve';
import { startRawUpstream } from '../support/raw-upstream';
import { parseSse, rawRequest, type Reply } from '../support/serve';

const ANTHROPIC_KEY = 'sk-ant-FAKE-4f1c9e2b7d3a6058-leak-sentinel';
const OPENAI_KEY = 'sk-proj-FAKE-9a8b7c6d5e4f3210-leak-sentinel';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test('a rejected key, echoed back by the upstream, is in no answer, stored file, error or log line; the token only in the printed URL', async () => {
  // The upstream rejects every request, repeating the key it was sent, in either wire's shape.
  const upstream = await startRawUpstream((_n, req) => {
    const sent = String(req.headers['x-api-key'] ?? req.headers.authorization ?? '');
    const body = req.url?.startsWith('/v1/chat/')
      ? {
          error: {
            message: `Incorrect API key provided: ${sent}.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        }
      : { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key: ${sent}` } };
    return { status: 401, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify(body)] };
  });
  cleanups.push(() => upstream.close());
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-serve-keys-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  err.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  let stop: () => void = () => {};
  const exit = runServe({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    open: false,
    build: false,
    out,
    err,
    env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: upstream.url, OPENAI_API_KEY: OPENAI_KEY },
    stopped: new Promise<void>((resolve) => (stop = resolve)),
  });
  while (!/token=/.test(stdout)) await new Promise((r) => setTimeout(r, 10));
  const url = new URL(stdout.trim());
  const token = url.searchParams.get('token') ?? '';
  const port = Number(url.port);
  const replies: Reply[] = [];
  const call = async (method: string, path: string, body?: unknown, auth = `Bearer ${token}`) => {
    const reply = await rawRequest(
      port,
      method,
      path,
      { host: `127.0.0.1:${port}`, authorization: auth, 'content-type': 'application/json' },
      body === undefined ? undefined : JSON.stringify(body),
    );
    replies.push(reply);
    return reply;
  };

  const turn = async (text: string) => {
    const reply = await call('POST', '/api/turns', { action: 'send', conversationId: null, text });
    const terminal = parseSse(reply.text).events.at(-1);
    if (terminal?.type !== 'terminal') throw new Error(`no terminal in ${reply.text}`);
    return terminal;
  };
  await call('PATCH', '/api/settings', { provider: 'anthropic', model: 'claude-test' });
  const anthropic = await turn('hello, anthropic');
  await call('PATCH', '/api/settings', {
    providers: [
      { id: 'openai', preset: 'openai', name: 'OpenAI', baseURL: `${upstream.url}/v1`, model: 'gpt-test' },
    ],
    provider: 'openai',
  });
  const openai = await turn('hello, openai');
  // Both turns failed on the key, and said so in words a person acts on.
  for (const t of [anthropic, openai]) {
    expect(t).toMatchObject({ outcome: 'error', error: { type: 'auth', status: 401 } });
  }
  expect(anthropic.error?.message).toMatch(/rejected the API key \(from ANTHROPIC_API_KEY\)/);
  expect(openai.error?.message).toMatch(/rejected the API key \(from OPENAI_API_KEY\)/);
  // The server's own words are still quoted, with the key taken out.
  expect(openai.error?.message).toContain('Incorrect API key provided: Bearer [the API key].');
  // The upstream really was sent (and echoed) the keys.
  expect(upstream.received.map((r) => r.headers['x-api-key'] ?? r.headers.authorization)).toEqual([
    `Bearer ${ANTHROPIC_KEY}`,
    `Bearer ${OPENAI_KEY}`,
  ]);
  // Requests with a wrong token, and the reads a person makes (history, settings, one conversation).
  await call('GET', '/api/settings', undefined, 'Bearer not-the-token');
  const list = await call('GET', '/api/conversations');
  for (const c of list.json as { id: string }[]) await call('GET', `/api/conversations/${c.id}`);
  await call('GET', '/api/settings');

  stop();
  expect(await exit).toBe(0);

  const secrets = [ANTHROPIC_KEY, OPENAI_KEY];
  for (const reply of replies) {
    for (const secret of secrets) {
      expect(reply.text).not.toContain(secret);
      expect(JSON.stringify(reply.headers)).not.toContain(secret);
    }
  }
  const files = await filesUnder(dataDir);
  expect(files.length).toBeGreaterThanOrEqual(3); // settings.json and the two conversations
  for (const file of files) {
    const content = await readFile(file, 'utf8');
    for (const secret of [...secrets, token]) expect(content, file).not.toContain(secret);
  }
  for (const secret of [...secrets, token]) expect(stderr).not.toContain(secret);
  expect(stderr).toMatch(/\[turn \w+\] error/);
  // The token is in one line on stdout, the URL to open, and nowhere else.
  expect(stdout).toBe(`${url.href}\n`);
});
