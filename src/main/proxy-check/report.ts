// report.md and report.json for a proxy check.
import { formatMs } from '../../shared/metrics';
import { profileExplanation } from '../proxy/config';
import type { ProxyCheckReport } from './run';

export function reportMarkdown(r: ProxyCheckReport): string {
  const rows = r.paths.map(
    (p) =>
      `| ${p.label} | ${formatMs(p.ttftMs)} | ${formatMs(p.tpotMs)} | ${formatMs(p.totalMs)} | ${p.largestBurst} of ${p.events} | ${p.receivedBeforeLastWrite} | **${p.verdict}** |`,
  );
  const buffered = r.paths.filter((p) => p.verdict === 'buffered').map((p) => p.label);
  const cured = r.paths.filter((p) => p.profile && p.verdict === 'streaming').map((p) => p.label);
  const beats = r.heartbeats.map(
    (h) => `| ${h.label} | ${h.survived ? '**survived**' : '**died**'} | ${h.detail} |`,
  );
  const explain = (profile: 'buffered' | 'buffered-gzip' | 'streaming' | 'header-cure') =>
    profileExplanation(profile);
  return `# Proxy check — ${r.date}

nginx ${r.nginx.version} (${r.nginx.path}). The same scripted stream on every path: TTFT ${r.script.ttftMs} ms,
TPOT ${r.script.tpotMs} ms, ${r.script.tokens} text deltas, from the simulated provider on loopback.
Times are measured at the client from the moment the request was sent.

| path | TTFT | TPOT | total | largest burst | events received before the upstream wrote its last | verdict |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

A streaming path receives almost every event before the upstream has written its last one, one at a
time. A buffered path receives them in bursts: all in one lump at the end, or — with nginx's default
buffers (8 × 4 KB) and a stream longer than they hold — a lump each time the buffers fill.

## What caused the buffering, and what cured it

${buffered.length ? `Buffered: ${buffered.join('; ')}.` : 'No path buffered.'} ${cured.length ? `Streaming through nginx: ${cured.join('; ')}.` : ''}

- **Cause** (\`buffered\`): ${explain('buffered').causes}
- **Cause** (\`buffered-gzip\`): ${explain('buffered-gzip').causes}
- **Cure in the proxy** (\`streaming\`): ${explain('streaming').cure}
- **Cure from the upstream** (\`header-cure\`): ${explain('header-cure').cure}
- **The relay hop**: \`sluice serve\` sends \`X-Accel-Buffering: no\`, \`Cache-Control: no-cache, no-transform\` and no compression, so a stock nginx in front of it streams.

## Heartbeats against proxy_read_timeout ${r.heartbeat.readTimeoutSec}s, first token after ${formatMs(r.heartbeat.ttftMs)}

| upstream | outcome | detail |
| --- | --- | --- |
${beats.join('\n')}

The timeline (arrival time against event index, one line per path) is in \`timeline.svg\`.
`;
}

export function reportJson(r: ProxyCheckReport): string {
  const round = (n: number) => Math.round(n * 100) / 100;
  return `${JSON.stringify(
    {
      ...r,
      paths: r.paths.map((p) => ({
        ...p,
        arrivals: p.arrivals.map(round),
        upstreamWrites: p.upstreamWrites.map(round),
      })),
    },
    null,
    2,
  )}\n`;
}
