// `sluice proxy-check [--out DIR]`: the before/after buffering capture, written as report.md,
// report.json and timeline.svg.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { reportJson, reportMarkdown } from '../proxy-check/report';
import { runProxyCheck } from '../proxy-check/run';
import { timelineSvg } from '../proxy-check/timeline';

export async function proxyCheck(opts: {
  out: string;
  nginxPath?: string;
  log: (line: string) => void;
}): Promise<number> {
  const out = resolve(opts.out);
  opts.log('Running one scripted stream direct, through nginx each way, and through sluice serve…');
  const report = await runProxyCheck({
    ...(opts.nginxPath ? { nginxPath: opts.nginxPath } : {}),
    onProgress: (line) => opts.log(`  ${line}`),
  });
  await mkdir(out, { recursive: true });
  await writeFile(resolve(out, 'report.md'), reportMarkdown(report));
  await writeFile(resolve(out, 'report.json'), reportJson(report));
  await writeFile(
    resolve(out, 'timeline.svg'),
    timelineSvg(report.paths, `Event arrival by path — ${report.date}`),
  );
  opts.log(`Wrote ${resolve(out, 'report.md')}, report.json and timeline.svg.`);
  return 0;
}
