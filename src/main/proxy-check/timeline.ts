// timeline.svg: arrival time (x) against event index (y), one line per path. A live stream is a
// steady diagonal; a buffered one is flat for most of the turn, then vertical.
import type { PathResult } from './run';

const COLORS = ['#2563eb', '#dc2626', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#4b5563'];
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function timelineSvg(paths: readonly PathResult[], title: string): string {
  const width = 1120;
  const height = 480;
  const pad = { left: 60, right: 400, top: 40, bottom: 50 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const maxT = Math.max(1, ...paths.map((p) => p.totalMs));
  const maxN = Math.max(1, ...paths.map((p) => p.arrivals.length));
  const x = (t: number) => pad.left + (t / maxT) * plotW;
  const y = (i: number) => pad.top + plotH - (i / maxN) * plotH;
  const step = maxT > 4000 ? 1000 : maxT > 1500 ? 500 : 250;
  const ticks: string[] = [];
  for (let t = 0; t <= maxT; t += step) {
    ticks.push(
      `<line x1="${x(t)}" y1="${pad.top}" x2="${x(t)}" y2="${pad.top + plotH}" stroke="#e5e7eb"/>` +
        `<text x="${x(t)}" y="${pad.top + plotH + 18}" font-size="11" text-anchor="middle" fill="#374151">${t / 1000}s</text>`,
    );
  }
  const lines = paths.map((p, k) => {
    const color = COLORS[k % COLORS.length]!;
    const points = [`${x(0)},${y(0)}`];
    p.arrivals.forEach((t, i) => points.push(`${x(t)},${y(i)}`, `${x(t)},${y(i + 1)}`));
    const legendY = pad.top + 14 + k * 22;
    return (
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>` +
      `<rect x="${width - pad.right + 16}" y="${legendY - 9}" width="12" height="12" fill="${color}"/>` +
      `<text x="${width - pad.right + 34}" y="${legendY + 1}" font-size="12" fill="#111827">${escape(p.label)} — ${p.verdict}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${pad.left}" y="24" font-size="15" font-weight="600" fill="#111827">${escape(title)}</text>
${ticks.join('\n')}
<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#6b7280"/>
<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + plotH}" stroke="#6b7280"/>
<text x="${pad.left + plotW / 2}" y="${height - 12}" font-size="12" text-anchor="middle" fill="#374151">arrival time at the client</text>
<text x="16" y="${pad.top + plotH / 2}" font-size="12" text-anchor="middle" fill="#374151" transform="rotate(-90 16 ${pad.top + plotH / 2})">events received</text>
<text x="${pad.left - 8}" y="${pad.top + 4}" font-size="11" text-anchor="end" fill="#374151">${maxN}</text>
<text x="${pad.left - 8}" y="${pad.top + plotH}" font-size="11" text-anchor="end" fill="#374151">0</text>
${lines.join('\n')}
</svg>
`;
}
