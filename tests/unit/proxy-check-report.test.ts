// The proxy-check report: a row per path with its verdict, the directives that caused and cured
// the buffering, both heartbeat outcomes, and one timeline line per path.
import { expect, test } from 'vitest';
import { largestBurst } from '../../src/main/proxy-check/capture';
import { reportJson, reportMarkdown } from '../../src/main/proxy-check/report';
import type { PathResult, ProxyCheckReport } from '../../src/main/proxy-check/run';
import { timelineSvg } from '../../src/main/proxy-check/timeline';

const path = (id: string, verdict: PathResult['verdict'], arrivals: number[]): PathResult => ({
  id,
  label: `path ${id}`,
  profile: id === 'direct' ? null : 'buffered',
  verdict,
  reason: '',
  events: arrivals.length,
  ttftMs: arrivals[0] ?? null,
  tpotMs: 20,
  totalMs: 1500,
  largestBurst: largestBurst(arrivals),
  arrivals,
  upstreamWrites: arrivals,
  receivedBeforeLastWrite: arrivals.length - 1,
});

const report: ProxyCheckReport = {
  date: '2026-11-21T00:00:00.000Z',
  nginx: { path: '/usr/sbin/nginx', version: 'nginx/1.22.1' },
  script: { ttftMs: 300, tpotMs: 20, tokens: 3 },
  heartbeat: { readTimeoutSec: 2, ttftMs: 6000 },
  paths: [path('direct', 'streaming', [300, 320, 340]), path('buffered', 'buffered', [1499, 1499.1, 1499.2])],
  heartbeats: [
    {
      id: 'no-heartbeat',
      label: 'no heartbeat',
      survived: false,
      detail: 'died: closed',
      events: 0,
      comments: 0,
    },
    { id: 'serve-ping', label: 'serve pings', survived: true, detail: 'survived', events: 3, comments: 5 },
  ],
};

test('largest burst counts events arriving less than 5 ms apart', () => {
  expect(largestBurst([])).toBe(0);
  expect(largestBurst([0, 20, 40])).toBe(1);
  expect(largestBurst([0, 20, 21, 22, 40])).toBe(3);
});

test('report.md has a row per path with its verdict, the directives, and both heartbeat outcomes', () => {
  const md = reportMarkdown(report);
  expect(md).toMatch(/\| path direct \| 300 ms \| 20 ms \| 1\.50 s \| 1 of 3 \| 2 \| \*\*streaming\*\* \|/);
  expect(md).toMatch(/\| path buffered \| 1\.50 s .*\| 3 of 3 \| 2 \| \*\*buffered\*\* \|/);
  expect(md).toContain('proxy_buffering on');
  expect(md).toContain('proxy_buffering off;');
  expect(md).toContain('X-Accel-Buffering: no');
  expect(md).toContain('gzip_types text/event-stream');
  expect(md).toMatch(/\| no heartbeat \| \*\*died\*\* \|/);
  expect(md).toMatch(/\| serve pings \| \*\*survived\*\* \|/);
  expect(JSON.parse(reportJson(report)).paths).toHaveLength(2);
});

test('timeline.svg draws one line per path and names each in the legend', () => {
  const svg = timelineSvg(report.paths, 'title & <test>');
  expect(svg.match(/<polyline /g)).toHaveLength(2);
  expect(svg).toContain('path buffered — buffered');
  expect(svg).toContain('title &amp; &lt;test&gt;');
});
