// Many streams, none lost (issue 11), over `sluice serve`: the gap a re-attaching page sees (GET
// /api/turns, then …/events with Last-Event-ID) to the first missed event and to the first live
// one; the replay buffer's peak for a 50k-token turn nobody is attached to (bounded by bytes); and
// four turns streaming at once at 100 tokens/s each against one alone, per-event latency (the
// provider's write → the client's parse), interleaved in one run.
import { createParser } from 'eventsource-parser';
import type { RelayEvent } from '../src/shared/protocol';
import { applyRelayEvent, createTurn } from '../src/shared/turn';
import { check, info, kb, ms, progress, x, type BenchResult } from './lib/result';
import { startBenchServe, type BenchServe } from './lib/serve-face';
import type { BenchSim } from './lib/sim';
import { percentile, sleep } from './lib/stats';
import { startUpstreamProxy } from './lib/upstream-proxy';

export type ResumeConfig = {
  staticDir: string;
  /** Rounds of (one turn alone, then four at once), interleaved. */
  rounds: number;
  tokens: number;
  tpotMs: number;
  reattaches: number;
  bigTurnTokens: number;
};

const isDelta = (e: RelayEvent) =>
  e.type === 'provider' && e.event.type === 'content_block_delta' && e.event.delta.type === 'text_delta';

type Streamed = { turnId: string; stamps: number[]; events: RelayEvent[]; ids: string[] };

/** Reads one SSE response; stops early when `stop` says so (the connection is cut). */
async function readSse(
  response: Response,
  onEvent: (event: RelayEvent, id: string | undefined) => boolean | void,
  cut?: AbortController,
): Promise<void> {
  const parser = createParser({
    onEvent: (m) => {
      if (onEvent(JSON.parse(m.data) as RelayEvent, m.id) === true) cut?.abort();
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body ?? []) parser.feed(decoder.decode(chunk, { stream: true }));
  } catch (err) {
    if (!cut?.signal.aborted) throw err;
  }
}

const auth = (serve: BenchServe) => ({ authorization: `Bearer ${serve.server.token}` });

async function startTurn(
  serve: BenchServe,
  text: string,
  until?: (s: Streamed) => boolean,
): Promise<Streamed> {
  const cut = new AbortController();
  const s: Streamed = { turnId: '', stamps: [], events: [], ids: [] };
  const res = await fetch(`${serve.server.origin}/api/turns`, {
    method: 'POST',
    headers: { ...auth(serve), 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'send', conversationId: null, text }),
    signal: cut.signal,
  });
  await readSse(
    res,
    (event, id) => {
      if (event.type === 'turn_start') s.turnId = event.turnId;
      if (isDelta(event)) s.stamps.push(performance.now());
      s.events.push(event);
      s.ids.push(id ?? '');
      return until?.(s);
    },
    cut,
  );
  return s;
}

const textOf = (events: RelayEvent[]) => {
  let turn = createTurn({ startedAt: 0 });
  for (const e of events) turn = applyRelayEvent(turn, e, e.t);
  return turn.steps
    .flatMap((st) => st.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');
};

export async function resume(sim: BenchSim, cfg: ResumeConfig): Promise<BenchResult> {
  const began = performance.now();
  const proxy = await startUpstreamProxy(sim.url, { tokens: cfg.tokens, deltasPerSecond: null });
  const serve = await startBenchServe({
    simUrl: sim.url,
    staticDir: cfg.staticDir,
    settings: {
      sim: { scenario: 'sim-text', ttftMs: 50, tpotMs: cfg.tpotMs },
      maxTokens: 64_000,
      maxConcurrentTurns: 4,
      resumeGraceMs: 60_000,
    },
    routeBaseURL: () => Promise.resolve(proxy.url),
  });
  sim.keepWrites = true;
  const rows = [];
  const data: Record<string, unknown> = {};
  try {
    // 1. Concurrency: one alone, then four at once, per round; latency = parse time − provider write.
    const latency = { single: [] as number[], four: [[], [], [], []] as number[][] };
    let mismatched = 0;
    const together = { writes: 0, close: 0 };
    const pair = async (runs: Streamed[]) => {
      const ends = await Promise.all(runs.map(() => sim.nextEnd()));
      // Matched by first-delta order (the turns start a few ms apart), checked by delta counts.
      const byStart = ends
        .map((e) => ({ e, writes: sim.deltaWrites(e.requestId) }))
        .sort((a, b) => (a.writes[0]?.t ?? 0) - (b.writes[0]?.t ?? 0));
      const clients = [...runs].sort((a, b) => (a.stamps[0] ?? 0) - (b.stamps[0] ?? 0));
      const out = clients.map((run, i) => {
        const writes = byStart[i]?.writes ?? [];
        if (writes.length !== run.stamps.length) mismatched += 1;
        const n = Math.min(writes.length, run.stamps.length);
        return Array.from(
          { length: n },
          (_, k) => (run.stamps[k] as number) - (writes[k] as { t: number }).t,
        );
      });
      if (runs.length > 1) {
        // How often the provider wrote a turn's token within 0.5 ms of another turn's: those queue.
        const all = byStart.flatMap(({ writes }, turn) => writes.map((w) => ({ t: w.t, turn })));
        all.sort((a, b) => a.t - b.t);
        all.forEach((w, i) => {
          const prev = all[i - 1];
          together.writes += 1;
          if (prev && prev.turn !== w.turn && w.t - prev.t < 0.5) together.close += 1;
        });
      }
      for (const e of ends) sim.forget(e.requestId);
      return { out, order: clients.map((c) => runs.indexOf(c)) };
    };
    await pair([await startTurn(serve, 'warm-up')]); // discarded
    for (let round = 0; round < cfg.rounds; round++) {
      const alone = await pair([await startTurn(serve, `alone ${round}`)]);
      latency.single.push(...(alone.out[0] ?? []));
      const runs: Promise<Streamed>[] = [];
      for (let i = 0; i < 4; i++) {
        runs.push(startTurn(serve, `together ${round} ${i}`));
        await sleep(3);
      }
      const four = await pair(await Promise.all(runs));
      four.order.forEach((turn, i) => latency.four[turn]?.push(...(four.out[i] ?? [])));
      progress('resume', `round ${round + 1}/${cfg.rounds}: one alone, then four at once`);
    }
    const p = (v: number[]) => ({ p50: percentile(v, 50), p99: percentile(v, 99), n: v.length });
    const single = p(latency.single);
    const fours = latency.four.map(p);
    rows.push(
      info('(a) one turn alone at 100 tok/s: per-event p50 / p99', `${ms(single.p50)} / ${ms(single.p99)}`),
    );
    fours.forEach((f, i) =>
      rows.push(
        info(
          `(b${i + 1}) turn ${i + 1} of four at once: per-event p50 / p99`,
          `${ms(f.p50)} / ${ms(f.p99)} (p50 ${x(f.p50 / single.p50)}, p99 ${x(f.p99 / single.p99)})`,
        ),
      ),
    );
    rows.push(
      info(
        '  four at once: provider writes within 0.5 ms of another turn’s',
        `${((100 * together.close) / Math.max(1, together.writes)).toFixed(0)}% of ${together.writes}`,
      ),
    );
    const worst = Math.max(...fours.map((f) => f.p50 / single.p50));
    rows.push(check('Worst p50 ratio, four at once / one alone', x(worst), '≤ ×1.2', worst <= 1.2));
    data['concurrency'] = { single, four: fours, mismatchedRuns: mismatched, together };

    // 2. Re-attach gap: a client with part of a turn drops, then does what a reloaded page does.
    const gaps = { replayed: [] as number[], live: [] as number[] };
    for (let i = 0; i < cfg.reattaches; i++) {
      const had = await startTurn(serve, `reattach ${i}`, (s) => s.stamps.length >= 20);
      const lastId = had.ids.at(-1) ?? '';
      await sleep(100); // detached: the turn streams on into its replay buffer
      const t0 = performance.now();
      const listed = (await (
        await fetch(`${serve.server.origin}/api/turns`, { headers: auth(serve) })
      ).json()) as {
        turnId: string;
      }[];
      if (!listed.some((t) => t.turnId === had.turnId)) throw new Error('the dropped turn is not listed');
      const sent = performance.now();
      const res = await fetch(`${serve.server.origin}/api/turns/${had.turnId}/events`, {
        headers: { ...auth(serve), 'last-event-id': lastId },
      });
      const after: RelayEvent[] = [];
      const deltaStamps: number[] = [];
      const end = sim.nextEnd();
      await readSse(res, (event) => {
        after.push(event);
        if (isDelta(event)) deltaStamps.push(performance.now() - t0);
      });
      const entry = await end;
      // The deltas the provider wrote after the GET went out are live; the ones before, replayed.
      const writes = sim.deltaWrites(entry.requestId).slice(had.stamps.length);
      sim.forget(entry.requestId);
      const firstLive = writes.findIndex((w) => w.t > sent);
      const first = deltaStamps[0] ?? Number.NaN;
      const live = firstLive < 0 ? Number.NaN : (deltaStamps[firstLive] ?? Number.NaN);
      gaps.replayed.push(first);
      gaps.live.push(live);
      if (textOf([...had.events, ...after]).length === 0) throw new Error('nothing re-attached');
    }
    rows.push(
      info(
        're-attach (GET /api/turns → …/events with Last-Event-ID): to the first missed event · to the first live one, p50 / p99',
        `${ms(percentile(gaps.replayed, 50))} / ${ms(percentile(gaps.replayed, 99))} · ${ms(percentile(gaps.live, 50))} / ${ms(percentile(gaps.live, 99))}`,
      ),
    );
    data['reattach'] = gaps;

    // 3. The replay buffer of a 50k-token turn nobody is attached to.
    proxy.plan = { tokens: cfg.bigTurnTokens, deltasPerSecond: null };
    await serve.patchSettings({ sim: { ttftMs: 0, tpotMs: 0 } });
    const big = await startTurn(serve, 'a very long answer', (s) => s.turnId !== '');
    const feed = serve.service.feedOf(big.turnId);
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const end = sim.nextEnd();
    while (!feed?.terminalWritten) {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      await sleep(20);
    }
    const entry = await end;
    sim.forget(entry.requestId);
    const stats = feed.stats;
    const late = await fetch(`${serve.server.origin}/api/turns/${big.turnId}/events`, {
      headers: { ...auth(serve), 'last-event-id': `${big.turnId.slice(0, 8)}.1` },
    });
    const replayed: RelayEvent[] = [];
    await readSse(late, (e) => void replayed.push(e));
    const conversationId = (big.events[0] as Extract<RelayEvent, { type: 'turn_start' }>).conversationId;
    const stored = (await (
      await fetch(`${serve.server.origin}/api/conversations/${conversationId}`, { headers: auth(serve) })
    ).json()) as {
      messages: {
        role: string;
        steps?: { message: { blocks: ({ type: string; text?: string } | null)[] } }[];
      }[];
    };
    const storedText = (stored.messages.at(-1)?.steps ?? [])
      .flatMap((s) => s.message.blocks)
      .map((b) => (b?.type === 'text' ? (b.text ?? '') : ''))
      .join('');
    const exact =
      replayed[0]?.type === 'snapshot' && textOf(replayed) === storedText && storedText.length > 0;
    rows.push(
      check(
        `Replay buffer of a ${cfg.bigTurnTokens.toLocaleString('en-US')}-token turn, detached: peak held (bound)`,
        `${kb(stats.peakBytes)} (${kb(stats.limitBytes)}), ${stats.dropped.toLocaleString('en-US')} of ${stats.events.toLocaleString('en-US')} events dropped`,
        '≤ the bound',
        stats.peakBytes <= stats.limitBytes,
      ),
    );
    rows.push(info('  heap growth while it streamed (peak, incl. garbage)', kb(heapPeak - heapBefore)));
    rows.push(
      check(
        '  re-attach from event 1 afterwards: snapshot, then the terminal; text = stored',
        exact ? 'exact' : 'differs',
        'exact',
        exact,
      ),
    );
    data['buffer'] = {
      ...stats,
      heapGrowthBytes: heapPeak - heapBefore,
      snapshotExact: exact,
      storedChars: storedText.length,
    };
  } finally {
    sim.keepWrites = false;
    await serve.close();
    await proxy.close();
  }
  return {
    id: 'resume',
    title: '7. Concurrent turns and resume',
    rows,
    notes: [
      `Four turns at once against one alone: sim-text answers of ${cfg.tokens} deltas at TPOT ${cfg.tpotMs} ms (100 tokens/s), ${cfg.rounds} interleaved rounds after a discarded warm-up, over \`sluice serve\` with the SSE read in this process; per-event latency is the client's parse time minus the provider's write time, pooled per turn.`,
      `Re-attach gap: a client that had 20 deltas drops, waits 100 ms, then does what a reloaded page does (GET /api/turns, GET /api/turns/:id/events with Last-Event-ID); timed from the first request. It is the protocol's gap, without a browser's page load.`,
    ],
    data,
    seconds: (performance.now() - began) / 1000,
  };
}
