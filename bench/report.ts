// Writes a run's results: bench/results.json (everything, raw samples included), bench/results.md
// (the table and the notes) and, for a full run, README.md's "Performance" section. A missed
// target says MISSED in its row; nothing is averaged away.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import prettier from 'prettier';
import type { Machine } from './lib/machine';
import type { BenchResult } from './lib/result';

export type Run = {
  date: string;
  machine: Machine;
  command: string;
  seconds: number;
  results: BenchResult[];
};

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function machineLine(m: Machine): string {
  return `${m.cpus} CPUs (\`nproc\`) · ${m.model} · ${m.ramGb} GB RAM · Node ${m.node} · ${m.platform}`;
}

export function summary(run: Run): { met: number; missed: string[] } {
  const rows = run.results.flatMap((r) => r.rows.map((row) => ({ r, row })));
  return {
    met: rows.filter((x) => x.row.status === 'met').length,
    missed: rows.filter((x) => x.row.status === 'MISSED').map((x) => `${x.r.title}: ${x.row.measure}`),
  };
}

export function table(run: Run): string {
  const lines = ['| Benchmark | Measure | Result | Target | Status |', '| --- | --- | --- | --- | --- |'];
  for (const r of run.results) {
    r.rows.forEach((row, i) => {
      const status = row.status === null ? '' : row.status === 'met' ? 'met' : '**MISSED**';
      const bench = i === 0 ? cell(r.title) : '';
      lines.push(
        `| ${bench} | ${cell(row.measure)} | ${cell(row.result)} | ${cell(row.target)} | ${status} |`,
      );
    });
  }
  return lines.join('\n');
}

function header(run: Run): string[] {
  const { met, missed } = summary(run);
  const duration = `${Math.floor(run.seconds / 60)} min ${Math.round(run.seconds % 60)} s`;
  return [
    `Run ${run.date} on ${machineLine(run.machine)}; \`${run.command}\` took ${duration}.`,
    '',
    missed.length === 0
      ? `All ${met} targets met.`
      : `${met} targets met, **${missed.length} MISSED**: ${missed.join('; ')}.`,
  ];
}

function resultsMarkdown(run: Run): string {
  const notes = run.results.flatMap((r) => [
    `### ${r.title} (${r.seconds.toFixed(0)} s)`,
    '',
    ...r.notes.map((n) => `- ${n}`),
    '',
  ]);
  return [
    '# Sluice benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); the raw numbers are in bench/results.json. Everything runs on',
    'this machine against the simulated provider on loopback. Machines like this one are noisy: compare ratios,',
    'not absolute times.',
    '',
    ...header(run),
    '',
    table(run),
    '',
    '## How each was measured',
    '',
    ...notes,
  ].join('\n');
}

function readmeSection(run: Run): string {
  return [
    '## Performance',
    '',
    'Measured by `npm run bench` (about 15 minutes; not part of `npm test`) against the simulated provider on',
    'loopback, comparisons interleaved in one run. How each number is measured, and the raw samples:',
    'bench/results.md and bench/results.json. `npm run bench -- --only=ID,…` runs some of them and leaves',
    'this section alone (the ids head bench/run.ts). One of them sets the relay beside its peer, the',
    'Vercel AI SDK (`ai` 6 with `@ai-sdk/anthropic`, `streamText` → `pipeUIMessageStreamToResponse`, with',
    'and without `abortSignal`; devDependencies only), next to `sluice serve`, the IPC path and the SDK',
    'read directly: latency, deltas/s, memory against a slow reader, Stop and four faults, in about two',
    'minutes:',
    '',
    '```sh',
    'npm run bench -- --only=peers-relay',
    '```',
    '',
    '```sh',
    'npm run bench                    # every benchmark; rewrites the table below',
    'npm run bench -- --only bundle   # one benchmark (--only=a,b for several); this section is left alone',
    'npm run bench -- --check         # exit code 1 when a target in the run is missed; it says which',
    '```',
    '',
    ...header(run),
    '',
    table(run),
    '',
  ].join('\n');
}

async function pretty(text: string, file: string): Promise<string> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}

/** README.md with its Performance section replaced (or appended when it has none). */
export function withSection(readme: string, section: string): string {
  const start = readme.search(/^## Performance[ \t]*$/m);
  if (start < 0) return `${readme.trimEnd()}\n\n${section.trim()}\n`;
  const rest = readme.slice(start + 1);
  const next = rest.search(/^## /m);
  const end = next < 0 ? readme.length : start + 1 + next;
  return `${readme.slice(0, start)}${section.trim()}\n${next < 0 ? '' : `\n${readme.slice(end)}`}`;
}

export async function writeRun(run: Run, root: string, opts: { readme: boolean }): Promise<string[]> {
  const written: string[] = [];
  const json = join(root, 'bench', 'results.json');
  await writeFile(json, `${JSON.stringify(run, null, 2)}\n`);
  written.push(json);
  const md = join(root, 'bench', 'results.md');
  await writeFile(md, await pretty(resultsMarkdown(run), md));
  written.push(md);
  if (opts.readme) {
    const readme = join(root, 'README.md');
    const current = await readFile(readme, 'utf8');
    // Only our section is formatted: the rest of the README is other people's text.
    await writeFile(readme, withSection(current, await pretty(readmeSection(run), readme)));
    written.push(readme);
  }
  return written;
}
