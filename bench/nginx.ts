// 6. Through nginx: the same small stream direct and through a managed nginx in its `streaming`
// and `buffered` profiles, interleaved. A streaming proxy should cost nothing; a buffered one
// holds the whole (small) stream, so its TTFT is its total.
import { largestBurst, captureStream, type Capture } from '../src/main/proxy-check/capture';
import { startNginxFront } from '../src/main/proxy';
import type { NginxFront } from '../src/main/proxy/types';
import { check, info, ms, progress, type BenchResult } from './lib/result';
import { simHeaders, type BenchSim } from './lib/sim';
import { median, rotate } from './lib/stats';

export type NginxConfig = { rounds: number; ttftMs: number; tpotMs: number; tokens: number };

const PATHS = ['direct', 'streaming', 'buffered'] as const;
type PathId = (typeof PATHS)[number];

type Run = { ttftMs: number; totalMs: number; burst: number; events: number; failure: string | null };

async function capture(url: string, sim: BenchSim, cfg: NginxConfig): Promise<Run> {
  const c: Capture = await captureStream({
    url: `${url}/v1/messages`,
    headers: { 'x-api-key': 'x', 'anthropic-version': '2023-06-01', ...simHeaders(cfg) },
    body: {
      model: 'sim-text',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'A short answer through a proxy' }],
      stream: true,
    },
    isContent: (event) => event === 'content_block_delta',
    isLast: (event) => event === 'message_stop',
    timeoutMs: 10_000,
  });
  const end = await sim.nextEnd();
  sim.forget(end.requestId);
  return {
    ttftMs: c.arrivals[0] ?? Number.NaN,
    totalMs: c.endedAt,
    burst: largestBurst(c.arrivals),
    events: c.arrivals.length,
    failure: c.failure,
  };
}

export async function throughNginx(sim: BenchSim, cfg: NginxConfig): Promise<BenchResult> {
  const began = performance.now();
  sim.keepWrites = false;
  const fronts: Partial<Record<PathId, NginxFront>> = {};
  let missing: string | null = null;
  try {
    for (const profile of ['streaming', 'buffered'] as const) {
      fronts[profile] = await startNginxFront({ profile, upstream: { url: sim.url } });
    }
  } catch (err) {
    missing = err instanceof Error ? err.message : String(err);
  }
  const runs: Record<PathId, Run[]> = { direct: [], streaming: [], buffered: [] };
  try {
    if (!missing) {
      for (let round = 0; round < cfg.rounds; round++) {
        for (const path of rotate(PATHS, round)) {
          const url = path === 'direct' ? sim.url : (fronts[path] as NginxFront).url;
          runs[path].push(await capture(url, sim, cfg));
        }
        progress('nginx', `round ${round + 1}/${cfg.rounds}`);
      }
    }
  } finally {
    for (const front of Object.values(fronts)) await front.stop();
    sim.keepWrites = true;
  }
  if (missing) {
    return {
      id: 'nginx',
      title: '6. Through nginx',
      rows: [check('nginx could be started', missing, 'started', false)],
      notes: [],
      data: { config: cfg, error: missing },
      seconds: (performance.now() - began) / 1000,
    };
  }
  const stat = (p: PathId) => ({
    ttftMs: median(runs[p].map((r) => r.ttftMs)),
    totalMs: median(runs[p].map((r) => r.totalMs)),
    burst: Math.max(...runs[p].map((r) => r.burst)),
    events: Math.min(...runs[p].map((r) => r.events)),
    failures: runs[p].filter((r) => r.failure).map((r) => r.failure),
  });
  const s = { direct: stat('direct'), streaming: stat('streaming'), buffered: stat('buffered') };
  const streamingRatio = s.streaming.ttftMs / s.direct.ttftMs;
  const bufferedShare = s.buffered.ttftMs / s.buffered.totalMs;
  const rows = PATHS.map((p) =>
    info(
      `${p}: TTFT · total · largest burst`,
      `${ms(s[p].ttftMs, 1)} · ${ms(s[p].totalMs, 1)} · ${s[p].burst} of ${s[p].events} deltas${s[p].failures.length ? ` (${s[p].failures.length} failed)` : ''}`,
    ),
  );
  rows.push(
    check(
      'streaming TTFT ≈ direct (ratio)',
      `×${streamingRatio.toFixed(3)}`,
      '≤ ×1.05',
      streamingRatio <= 1.05,
    ),
    check(
      'buffered TTFT ≈ its total (TTFT / total)',
      `${(100 * bufferedShare).toFixed(1)}%`,
      '≥ 95%',
      bufferedShare >= 0.95,
    ),
  );
  return {
    id: 'nginx',
    title: '6. Through nginx',
    rows,
    notes: [
      `sim-text, ${cfg.tokens} deltas (≈ ${cfg.tokens + 7} SSE events, a few KB: inside nginx's default proxy buffers), TTFT ${cfg.ttftMs} ms, TPOT ${cfg.tpotMs} ms, ${cfg.rounds} interleaved rounds, medians. A burst is deltas arriving < 5 ms apart.`,
    ],
    data: { config: cfg, stats: s, runs },
    seconds: (performance.now() - began) / 1000,
  };
}
