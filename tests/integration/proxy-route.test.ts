// nginx mode end to end: turns routed through a real nginx front, Stop reaching the provider
// through it, a missing nginx falling back to direct with a message, and heartbeats against a
// short proxy_read_timeout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { EmbeddedSimulator } from '../../src/main/chat/target';
import { captureStream } from '../../src/main/proxy-check/capture';
import { findNginx, startNginxFront } from '../../src/main/proxy';
import { NginxRouter } from '../../src/main/proxy/route';
import { SIM_HEADERS, startSimulatedProvider, type SimLogEntry } from '../../src/main/providers/simulated';
import { ConversationStore } from '../../src/main/store/conversations';
import { SettingsStore } from '../../src/main/store/settings';
import type { RelayEvent, SettingsPatch } from '../../src/shared/protocol';
import { CollectingSink } from '../support/relay';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

beforeAll(async () => {
  const found = await findNginx();
  if (!found.ok && process.env['CI']) throw new Error(`nginx is required in CI: ${found.error.message}`);
});
const hasNginx = (await findNginx()).ok;
if (!hasNginx) console.log('nginx not found: skipping the nginx route tests (install nginx to run them).');

async function service(settings: SettingsPatch, router: NginxRouter) {
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-route-'));
  const log: SimLogEntry[] = [];
  const store = new SettingsStore(dataDir);
  await store.update({ provider: 'simulated', ...settings });
  const chat = new ChatService({
    conversations: new ConversationStore(dataDir),
    settings: store,
    keys: { get: () => null },
    simulator: new EmbeddedSimulator({ log: (e) => log.push(e) }),
    router,
  });
  cleanups.push(
    () => rm(dataDir, { recursive: true, force: true }),
    () => chat.close(),
  );
  return { chat, log };
}

const notices = (events: RelayEvent[]) =>
  events.flatMap((e) => (e.type === 'status' && e.status.phase === 'notice' ? [e.status.message] : []));

describe.skipIf(!hasNginx)('through a real nginx', () => {
  test('a turn routed via nginx says so, streams through it and completes', async () => {
    const { chat } = await service(
      { viaNginx: 'streaming', sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 1 } },
      new NginxRouter(),
    );
    const sink = new CollectingSink();
    const turn = await chat.startTurn({ action: 'send', conversationId: null, text: 'hi' }, sink);
    const result = await turn.done;
    expect(result.outcome).toBe('complete');
    expect(notices(sink.events)).toEqual([
      expect.stringMatching(/^Through nginx \(streaming profile\) at http:\/\/127\.0\.0\.1:\d+/),
    ]);
  });

  test('Stop through a buffering nginx still reaches the provider: client-closed', async () => {
    const { chat, log } = await service(
      { viaNginx: 'buffered', sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 50 } },
      new NginxRouter(),
    );
    const sink = new CollectingSink();
    const turn = await chat.startTurn({ action: 'send', conversationId: null, text: 'hi' }, sink);
    // Buffered nginx holds even the response headers until its first 4 KB buffer fills; stop as soon
    // as they are through, long before the 300-token answer ends.
    await expect
      .poll(() => sink.events.some((e) => e.type === 'status' && e.status.phase === 'waiting'), {
        timeout: 15_000,
      })
      .toBe(true);
    chat.abort(turn.turnId);
    const result = await turn.done;
    expect(result.outcome).toBe('aborted');
    await expect.poll(() => log.map((e) => e.reason)).toEqual(['client-closed']);
    expect(log[0]!.tokensGenerated).toBeLessThan(300);
  });

  test('an OpenAI-compatible provider (Ollama at its /v1) behind nginx: buffering is caught, streaming is not', async () => {
    const sim = await startSimulatedProvider({ defaults: { ttftMs: 0, tpotMs: 20 } });
    cleanups.push(() => sim.close());
    const ollama = {
      id: 'ollama',
      preset: 'ollama' as const,
      name: 'Ollama',
      baseURL: `${sim.url}/ollama/v1`,
      model: 'sim-text',
    };
    const run = async (profile: 'buffered' | 'streaming') => {
      // A short answer (22 chunks, under 4 KB): a buffering nginx holds all of it until the end.
      const { chat } = await service(
        { viaNginx: profile, providers: [ollama], provider: 'ollama', maxTokens: 22 },
        new NginxRouter(),
      );
      const sink = new CollectingSink();
      const turn = await chat.startTurn({ action: 'send', conversationId: null, text: 'hi' }, sink, {
        keepArrivals: true,
      });
      const result = await turn.done;
      await turn.titled;
      return { result, sink, chat, turnId: turn.turnId };
    };
    const buffered = await run('buffered');
    expect(buffered.result.stopReason).toBe('max_tokens');
    expect(notices(buffered.sink.events)[0]).toMatch(/^Through nginx \(buffered profile\)/);
    expect(buffered.result.turn.buffering).toMatchObject({ buffered: true });
    const streaming = await run('streaming');
    expect(streaming.result.stopReason).toBe('max_tokens');
    expect(streaming.result.turn.buffering).toMatchObject({ buffered: false });
    // The two turns; each first answer's title request is marked as one and is no turn.
    const openai = sim.entries.filter((e) => e.wire === 'openai');
    expect(openai.filter((e) => !e.purpose).map((e) => e.reason)).toEqual(['complete', 'complete']);
    expect(openai.filter((e) => e.purpose === 'title')).toHaveLength(2);
  });

  test('heartbeats: a first token slower than proxy_read_timeout kills a silent stream; pings keep it alive', async () => {
    const sim = await startSimulatedProvider();
    cleanups.push(() => sim.close());
    const front = await startNginxFront({
      profile: 'streaming',
      upstream: { url: sim.url },
      readTimeoutSec: 1,
    });
    cleanups.push(() => front.stop());
    const slow = (extra: Record<string, string>) =>
      captureStream({
        url: `${front.url}/v1/messages`,
        headers: { 'x-api-key': 'sim', [SIM_HEADERS.ttftMs]: '3000', [SIM_HEADERS.tpotMs]: '0', ...extra },
        body: {
          model: 'sim-text',
          max_tokens: 30,
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        },
        isContent: (event) => event === 'content_block_delta',
        isLast: (event) => event === 'message_stop',
        timeoutMs: 20_000,
      });
    const silent = await slow({});
    expect(silent.completed).toBe(false);
    expect(silent.arrivals).toHaveLength(0);
    const pinged = await slow({ [SIM_HEADERS.pingMs]: '300' });
    expect(pinged.completed).toBe(true);
    expect(pinged.failure).toBeNull();
    expect(pinged.arrivals).toHaveLength(30);
  });
});

test('a missing nginx: the turn goes direct, completes, and says what is missing', async () => {
  const { chat, log } = await service(
    { viaNginx: 'buffered', sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } },
    new NginxRouter({ nginxPath: '/nonexistent/nginx' }),
  );
  const sink = new CollectingSink();
  const turn = await chat.startTurn({ action: 'send', conversationId: null, text: 'hi' }, sink);
  const result = await turn.done;
  expect(result.outcome).toBe('complete');
  expect(log.map((e) => e.reason)).toEqual(['complete']);
  const [notice] = notices(sink.events);
  expect(notice).toContain('/nonexistent/nginx');
  expect(notice).toContain('This turn goes direct.');
});
