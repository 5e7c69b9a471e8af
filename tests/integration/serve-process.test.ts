// `sluice serve` as a real process: killed mid-write it leaves a store that reads back whole;
// SIGTERM ends live turns (partials saved, the provider told) and exits 0; the key stays unsaid.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ConversationStore } from '../../src/main/store/conversations';
import type { Conversation, RelayEvent } from '../../src/shared/protocol';
import { deltaText } from '../support/relay-events';
import { parseSse } from '../support/serve';
import {
  answerText,
  callServe as call,
  spawnServe as spawnServeChild,
  streamUntil,
  textDeltas as texts,
} from '../support/serve-process';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function spawnServe(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const served = spawnServeChild(dataDir, env);
  cleanup.push(async () => (await served.catch(() => null))?.stop());
  return served;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-serve-proc-'));
  cleanup.unshift(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('SIGKILL mid-stream, at several points, leaves every conversation file whole and readable', async () => {
  const dataDir = await tempDir();
  const stops: { prompt: string; until: (events: RelayEvent[]) => boolean }[] = [
    { prompt: 'killed at the start', until: (events) => events.length >= 1 },
    { prompt: 'killed after a little text', until: (events) => texts(events) >= 20 },
    // Past the 1 s save interval (10 ms a token): a partial answer has been saved at least once.
    { prompt: 'killed after a save', until: (events) => texts(events) >= 160 },
  ];
  const seen: Record<string, string> = {};
  for (const stop of stops) {
    const s = await spawnServe(dataDir);
    expect(
      (await call(s, 'PATCH', '/api/settings', { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 10 } }))
        .status,
    ).toBe(200);
    const { raw } = await streamUntil(s, stop.prompt, stop.until);
    s.child.kill('SIGKILL');
    await s.exited;
    seen[stop.prompt] = deltaText(parseSse(raw()).events);
  }

  const files = (await readdir(join(dataDir, 'conversations'))).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(stops.length);
  for (const file of files) {
    const parsed = JSON.parse(await readFile(join(dataDir, 'conversations', file), 'utf8')) as Conversation;
    expect(parsed.messages[0]).toMatchObject({ role: 'user' });
  }
  const store = new ConversationStore(dataDir);
  const list = await store.list();
  expect(store.quarantined).toEqual([]);
  expect(list.map((c) => c.title).sort()).toEqual(stops.map((s) => s.prompt).sort());
  for (const summary of list) {
    const conversation = await store.get(summary.id);
    expect(conversation.messages[0]).toMatchObject({ role: 'user', text: summary.title });
    const answer = conversation.messages[1];
    if (answer?.role === 'assistant') {
      // A partial saved mid-stream: no outcome yet, and text that agrees with what the client saw.
      expect(answer.outcome).toBeNull();
      const stored = answerText(answer);
      const client = seen[summary.title] ?? '';
      expect(stored.startsWith(client) || client.startsWith(stored)).toBe(true);
    }
  }
  const saved = list.find((c) => c.title === 'killed after a save');
  const afterSave = saved ? (await store.get(saved.id)).messages[1] : undefined;
  expect(afterSave?.role).toBe('assistant');
  expect(afterSave?.role === 'assistant' ? answerText(afterSave).length : 0).toBeGreaterThan(0);

  // And a new server on the same directory serves them.
  const s = await spawnServe(dataDir);
  expect(((await call(s, 'GET', '/api/conversations')).json as unknown[]).length).toBe(stops.length);
});

test('SIGTERM ends live turns as aborted (partials saved, the provider told) and exits 0; the key is never printed', async () => {
  const SENTINEL = 'sk-ant-SENTINEL-serve-process-do-not-print';
  const dataDir = await tempDir();
  const s = await spawnServe(dataDir, { ANTHROPIC_API_KEY: SENTINEL });
  // A fresh data directory with a key starts on the real provider; the person can still choose the simulated one.
  expect((await call(s, 'GET', '/api/settings')).json).toMatchObject({ provider: 'anthropic', keySet: true });
  const view = await call(s, 'PATCH', '/api/settings', {
    provider: 'simulated',
    sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 10 },
  });
  expect(view.json).toMatchObject({ provider: 'simulated', keySet: true, keySource: 'env' });
  expect(view.text).not.toContain(SENTINEL);

  const { res, raw } = await streamUntil(s, 'interrupted by shutdown', (events) => texts(events) >= 10);
  const ended = new Promise<void>((resolve) => res.on('end', resolve));
  s.child.kill('SIGTERM');
  expect(await s.exited).toBe(0);
  await ended;

  const { events } = parseSse(raw());
  expect(events.at(-1)).toMatchObject({ type: 'terminal', outcome: 'aborted' });
  expect(events.filter((e) => e.type === 'terminal')).toHaveLength(1);
  const store = new ConversationStore(dataDir);
  const [summary] = await store.list();
  const answer = summary ? (await store.get(summary.id)).messages[1] : undefined;
  expect(answer).toMatchObject({ role: 'assistant', outcome: 'aborted' });
  expect(answer?.role === 'assistant' ? answerText(answer) : '').toBe(deltaText(events));
  expect(s.output()).toMatch(
    /\[simulated provider\] sim end req_\S+ scenario=sim-text tokens=\d+ reason=client-closed/,
  );
  expect(s.output()).not.toContain(SENTINEL);
});
