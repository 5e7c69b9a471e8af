// `npm run bench`: every benchmark against the simulated provider on loopback, one after another,
// progress on stderr; results in bench/results.json, bench/results.md and README.md's Performance
// section. `npm run bench -- --only=relay,cancel` (or `--only relay,cancel`) runs a subset (and
// leaves the README alone); `--check` makes the exit code 1 when any target in the run is missed.
// Ids: relay, peers-relay, throughput, backpressure, cancel, rendering, nginx, resume, mcp, workspace,
// long-conversation, bundle.
import { fileURLToPath } from 'node:url';
import { buildRenderer, rendererBuildState } from '../src/main/server/renderer-build';
import { backpressure } from './backpressure';
import { bundle } from './bundle';
import { cancel } from './cancel';
import { longConversation } from './long-conversation';
import { commandOf, exitCodeOf, parseBenchArgs } from './lib/args';
import { describeMachine } from './lib/machine';
import { buildBenchPage } from './lib/page-build';
import { progress, type BenchResult } from './lib/result';
import { startBenchSim, type BenchSim } from './lib/sim';
import { mcpBench } from './mcp';
import { peersRelay } from './peers-relay';
import { throughNginx } from './nginx';
import { relayOverhead } from './relay-overhead';
import { rendering } from './rendering';
import { resume } from './resume';
import { summary, table, writeRun } from './report';
import { throughput } from './throughput';
import { workspace } from './workspace';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STATIC_DIR = `${ROOT}out/renderer`;
/** The rendering benchmark's page with its peers (bench/page/), built before that benchmark runs. */
const PAGE_DIR = `${ROOT}bench/out/render-page`;
const CHROMIUM = process.env['SLUICE_CHROMIUM'] ?? '/usr/bin/chromium';

const BENCHES: { id: string; run: (sim: BenchSim) => Promise<BenchResult> }[] = [
  {
    id: 'relay',
    run: (sim) =>
      relayOverhead(sim, { rounds: 5, ttftMs: 250, tpotMs: 10, tokens: 300, staticDir: STATIC_DIR }),
  },
  {
    id: 'peers-relay',
    run: (sim) =>
      peersRelay(sim, {
        rounds: 3,
        ttftMs: 250,
        tpotMs: 5,
        firehoseTokens: 5_000,
        firehoseRounds: 2,
        windowMs: 8_000,
        readBytesPerSecond: 16 * 1024,
        providerBytes: 25 * 1024 * 1024,
        abortsPerFace: 3,
        cancelTpotMs: 10,
        idleTimeoutMs: 1_000,
        staticDir: STATIC_DIR,
      }),
  },
  { id: 'throughput', run: (sim) => throughput(sim, { rounds: 3, tokens: 200_000 }) },
  {
    id: 'backpressure',
    run: (sim) =>
      backpressure(sim, {
        windowMs: 12_000,
        readBytesPerSecond: 16 * 1024,
        providerBytes: 50 * 1024 * 1024,
        staticDir: STATIC_DIR,
      }),
  },
  { id: 'cancel', run: (sim) => cancel(sim, { abortsPerFace: 30, tpotMs: 10, staticDir: STATIC_DIR }) },
  {
    id: 'rendering',
    run: (sim) =>
      rendering(sim, {
        sizes: [10_000, 50_000],
        rounds: 2,
        deltasPerSecond: 2000,
        slow: { tokens: 3000, deltasPerSecond: 100 },
        ttftMs: 300,
        staticDir: STATIC_DIR,
        pageDir: PAGE_DIR,
        chromiumPath: CHROMIUM,
      }),
  },
  { id: 'nginx', run: (sim) => throughNginx(sim, { rounds: 7, ttftMs: 200, tpotMs: 10, tokens: 20 }) },
  {
    id: 'resume',
    run: (sim) =>
      resume(sim, {
        staticDir: STATIC_DIR,
        rounds: 3,
        tokens: 300,
        tpotMs: 10,
        reattaches: 10,
        bigTurnTokens: 50_000,
      }),
  },
  { id: 'mcp', run: () => mcpBench({ rounds: 30 }) },
  {
    id: 'workspace',
    run: () =>
      workspace({
        conversations: 2000,
        messages: 100_000,
        largest: 400,
        starts: 3,
        apiQueries: 200,
        pageQueries: 20,
        chromiumPath: CHROMIUM,
      }),
  },
  {
    id: 'long-conversation',
    run: () =>
      longConversation({
        messages: 300,
        answerChars: 9700,
        opens: 3,
        scrollFrames: 300,
        heapBoundMb: 100,
        chromiumPath: CHROMIUM,
      }),
  },
  { id: 'bundle', run: () => bundle({ root: ROOT, firstChunkLimitKb: 250 }) },
];

/** The benchmarks that load the built renderer in Chromium. */
const NEEDS_RENDERER = new Set(['rendering', 'workspace', 'long-conversation']);

async function main(): Promise<number> {
  const began = performance.now();
  const date = new Date().toISOString();
  const parsed = parseBenchArgs(
    process.argv.slice(2),
    BENCHES.map((b) => b.id),
  );
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\n`);
    return 2;
  }
  const { only, check } = parsed.args;
  const selected = BENCHES.filter((b) => !only || only.includes(b.id));
  const machine = describeMachine();
  progress('bench', `${machine.cpus} × ${machine.model}, ${machine.ramGb} GB, Node ${machine.node}`);

  if (selected.some((b) => NEEDS_RENDERER.has(b.id))) {
    // As `sluice serve` does: the browser must get the renderer as the sources are now.
    const state = await rendererBuildState(ROOT);
    if (state.state !== 'fresh') {
      progress(
        'bench',
        `building the renderer (${state.state === 'stale' ? `${state.newer} is newer` : 'missing'})`,
      );
      await buildRenderer(ROOT);
    }
  }
  if (selected.some((b) => b.id === 'rendering')) {
    progress('bench', 'building the rendering page (bench/page/)');
    await buildBenchPage(ROOT);
  }

  const sim = await startBenchSim();
  const results: BenchResult[] = [];
  try {
    for (const bench of selected) {
      progress(bench.id, 'start');
      sim.drain();
      const result = await bench.run(sim);
      results.push(result);
      const missed = result.rows.filter((r) => r.status === 'MISSED').length;
      progress(bench.id, `done in ${result.seconds.toFixed(1)} s${missed ? `, ${missed} MISSED` : ''}`);
    }
  } finally {
    await sim.close();
  }

  const run = {
    date,
    machine,
    command: commandOf(parsed.args),
    seconds: (performance.now() - began) / 1000,
    results,
  };
  const written = await writeRun(run, ROOT, { readme: !only });
  process.stdout.write(`\n${table(run)}\n\n`);
  const { met, missed } = summary(run);
  process.stdout.write(
    `${met} targets met, ${missed.length} MISSED${missed.length ? `:\n  ${missed.join('\n  ')}` : ''}\n`,
  );
  process.stdout.write(`Wrote ${written.join(', ')} in ${run.seconds.toFixed(0)} s.\n`);
  const code = exitCodeOf(check, missed);
  if (code !== 0)
    process.stderr.write(
      `--check: ${missed.length} target${missed.length === 1 ? '' : 's'} missed, exit code ${code}.\n`,
    );
  return code;
}

process.exitCode = await main();
