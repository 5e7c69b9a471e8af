// The crash soak: `sluice serve` as a child on one data directory, streaming turns, killed with
// SIGKILL at random moments (a seeded generator picks them), then checked — every stored file
// parses, every conversation opens, and every interrupted answer holds a prefix of what the
// client had received, no older than the last periodic save. `npm run soak` runs it long
// (bench/soak.ts); tests/integration/soak.test.ts runs a short one in `npm test`.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng } from '../../src/main/providers/simulated/rng';
import { ConversationStore } from '../../src/main/store/conversations';
import { deltaText } from './relay-events';
import { parseSse } from './serve';
import { answerText, callServe, spawnServe } from './serve-process';
import { request } from 'node:http';

export type SoakOptions = {
  dataDir: string;
  kills: number;
  seed: number;
  /** The longest wait after the turn starts before the kill. */
  maxKillAfterMs?: number;
  /** Progress, one line per kill. */
  onKill?: (line: string) => void;
};

export type KillRecord = {
  kill: number;
  afterMs: number;
  /** What the client had when the kill came. */
  receivedChars: number;
  storedChars: number | null;
  stored: 'none' | 'partial' | 'complete' | 'ended';
  /** How long before the kill the stored copy fell behind what had arrived (0: it had it all). */
  staleMs: number;
};

export type SoakReport = {
  kills: number;
  seed: number;
  records: KillRecord[];
  /** Every stored file and conversation checked across all kills. */
  filesChecked: number;
  conversationsOpened: number;
  quarantined: string[];
  failures: string[];
  staleMs: { p50: number; p95: number; max: number };
  totalMs: number;
};

type Arrival = { t: number; chars: number };

/** Streams one turn, noting when each piece of text arrived, until the caller kills the server. */
function watchTurn(port: number, token: string, body: unknown) {
  const arrivals: Arrival[] = [];
  let raw = '';
  let chars = 0;
  let started!: () => void;
  const firstEvent = new Promise<void>((resolve) => (started = resolve));
  const req = request(
    {
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/turns',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    },
    (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        raw += c;
        started();
        const text = deltaText(parseSse(raw).events);
        if (text.length > chars) {
          chars = text.length;
          arrivals.push({ t: performance.now(), chars });
        }
      });
      res.on('error', () => {});
    },
  );
  req.on('error', () => started());
  req.end(JSON.stringify(body));
  return { firstEvent, arrivals, events: () => parseSse(raw).events };
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const began = performance.now();
  const rng = createRng(opts.seed);
  const maxAfter = opts.maxKillAfterMs ?? 2500;
  const records: KillRecord[] = [];
  const failures: string[] = [];
  const quarantined: string[] = [];
  let filesChecked = 0;
  let conversationsOpened = 0;
  const known: string[] = [];

  for (let kill = 0; kill < opts.kills; kill++) {
    const s = await spawnServe(opts.dataDir);
    try {
      if (kill === 0) {
        const reply = await callServe(s, 'PATCH', '/api/settings', {
          sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 5 },
        });
        if (reply.status !== 200) throw new Error(`Settings were refused: ${reply.text}`);
      }
      const prompt = `soak ${opts.seed}-${kill}`;
      // Some turns go on in a conversation that earlier kills left behind.
      const into = known.length > 0 && rng.chance(0.3) ? rng.pick(known) : null;
      const turn = watchTurn(s.port, s.token, { action: 'send', conversationId: into, text: prompt });
      await turn.firstEvent;
      const afterMs = rng.int(0, maxAfter);
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      s.child.kill('SIGKILL');
      const killedAt = performance.now();
      await s.exited;

      const events = turn.events();
      const start = events.find((e) => e.type === 'turn_start');
      const received = deltaText(events);
      const record: KillRecord = {
        kill,
        afterMs,
        receivedChars: received.length,
        storedChars: null,
        stored: 'none',
        staleMs: 0,
      };

      // Every stored file parses, and the store loads them all (nothing moved aside).
      for (const name of await readdir(join(opts.dataDir, 'conversations'))) {
        if (!name.endsWith('.json')) continue;
        filesChecked++;
        try {
          JSON.parse(await readFile(join(opts.dataDir, 'conversations', name), 'utf8'));
        } catch (err) {
          failures.push(`kill ${kill}: ${name} does not parse: ${String(err)}`);
        }
      }
      JSON.parse(await readFile(join(opts.dataDir, 'settings.json'), 'utf8'));
      const store = new ConversationStore(opts.dataDir);
      for (const summary of await store.list()) {
        await store.get(summary.id);
        conversationsOpened++;
      }
      quarantined.push(...store.quarantined);

      if (start?.type === 'turn_start') {
        if (!known.includes(start.conversationId)) known.push(start.conversationId);
        const conversation = await store.get(start.conversationId).catch(() => null);
        const asked =
          conversation?.messages.findLastIndex((m) => m.role === 'user' && m.text === prompt) ?? -1;
        if (!conversation || asked < 0) {
          failures.push(`kill ${kill}: the conversation of a started turn lacks its question "${prompt}"`);
        } else {
          const answer = conversation.messages[asked + 1];
          if (answer?.role === 'assistant') {
            const stored = answerText(answer);
            record.storedChars = stored.length;
            record.stored =
              answer.outcome === null ? 'partial' : answer.outcome === 'complete' ? 'complete' : 'ended';
            if (!received.startsWith(stored))
              failures.push(
                `kill ${kill}: the stored answer (${stored.length} chars) is not what the client received (${received.length} chars)`,
              );
            if (answer.outcome === 'complete' && stored !== received)
              failures.push(`kill ${kill}: a complete stored answer differs from what was streamed`);
          }
          // The stored copy fell behind when the first text it lacks arrived.
          const has = record.storedChars ?? 0;
          const behind = turn.arrivals.find((a) => a.chars > has);
          record.staleMs = behind ? Math.max(0, killedAt - behind.t) : 0;
        }
      }
      records.push(record);
      opts.onKill?.(
        `kill ${kill + 1}/${opts.kills} after ${afterMs} ms: received ${record.receivedChars} chars, stored ${record.storedChars ?? 0} (${record.stored}), ${Math.round(record.staleMs)} ms behind`,
      );
    } finally {
      await s.stop();
    }
  }

  // Last, a server on the directory opens every conversation through its API.
  const s = await spawnServe(opts.dataDir);
  try {
    const list = (await callServe(s, 'GET', '/api/conversations')).json as { id: string }[];
    for (const { id } of list) {
      const reply = await callServe(s, 'GET', `/api/conversations/${id}`);
      if (reply.status !== 200)
        failures.push(`conversation ${id} does not open: ${reply.status} ${reply.text}`);
      conversationsOpened++;
    }
  } finally {
    await s.stop();
  }

  const stale = records.map((r) => r.staleMs).sort((a, b) => a - b);
  return {
    kills: opts.kills,
    seed: opts.seed,
    records,
    filesChecked,
    conversationsOpened,
    quarantined,
    failures,
    staleMs: { p50: quantile(stale, 0.5), p95: quantile(stale, 0.95), max: stale.at(-1) ?? 0 },
    totalMs: performance.now() - began,
  };
}
