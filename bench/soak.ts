// `npm run soak`: the crash soak, long — `sluice serve` killed with SIGKILL 200 times at seeded
// random moments mid-stream (`-- --kills=N --seed=S` to change either). Prints one line per kill
// and the summary; writes bench/out/soak.json. Exit 1 if anything stored was corrupt or lost.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSoak } from '../tests/support/soak';

const arg = (name: string, fallback: number) => {
  const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`--${name} takes a whole number above 0, e.g. --${name}=${fallback}.\n`);
    process.exit(2);
  }
  return n;
};

const kills = arg('kills', 200);
const seed = arg('seed', 17);
const dataDir = await mkdtemp(join(tmpdir(), 'sluice-soak-'));
try {
  const report = await runSoak({ dataDir, kills, seed, onKill: (line) => process.stderr.write(`${line}\n`) });
  const out = fileURLToPath(new URL('./out/', import.meta.url));
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  const by = (kind: string) => report.records.filter((r) => r.stored === kind).length;
  const round = (ms: number) => Math.round(ms);
  process.stdout.write(
    [
      `soak: ${report.kills} SIGKILLs (seed ${seed}) in ${(report.totalMs / 1000).toFixed(0)} s`,
      `  at the kill: ${by('partial')} partial answers stored, ${by('complete')} complete, ${by('none')} with no answer saved yet`,
      `  files parsed: ${report.filesChecked}; conversations opened: ${report.conversationsOpened}; moved aside: ${report.quarantined.length}`,
      `  how far the stored answer lagged what had arrived: p50 ${round(report.staleMs.p50)} ms, p95 ${round(report.staleMs.p95)} ms, max ${round(report.staleMs.max)} ms`,
      report.failures.length === 0
        ? '  failures: none'
        : `  failures (${report.failures.length}):\n    ${report.failures.join('\n    ')}`,
      '',
    ].join('\n'),
  );
  process.exitCode = report.failures.length === 0 && report.quarantined.length === 0 ? 0 : 1;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
