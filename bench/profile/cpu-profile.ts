// Summaries of a V8 CPU profile (CDP Profiler.stop): self and inclusive time per function over
// any subset of samples, and the runs of busy samples that make a long task.
type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
export type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };

const nameOf = (f: CallFrame): string => {
  const file = f.url.split('/').at(-1)?.split('?')[0] ?? '';
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
};

const top = (m: Map<string, number>, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, v]) => `${v.toFixed(0).padStart(7)} ms  ${name}`);

/** ms since the profile began, per sample. */
export function sampleTimes(p: Profile): number[] {
  const times: number[] = [];
  let t = 0;
  for (const d of p.timeDeltas) times.push((t += d / 1000));
  return times;
}

/** Self and inclusive milliseconds per function over the samples whose index passes `keep`. */
export function aggregate(p: Profile, keep: (i: number) => boolean) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    if (!keep(i)) continue;
    const ms = (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(p.samples[i] as number);
    if (!leaf || leaf.callFrame.functionName === '(idle)') continue;
    total += ms;
    const leafName = nameOf(leaf.callFrame);
    self.set(leafName, (self.get(leafName) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = nameOf((byId.get(id) as ProfileNode).callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  }
  return { total, self: (n: number) => top(self, n), inclusive: (n: number) => top(inclusive, n) };
}

/** Runs of busy (not idle) samples longer than `minMs`: the long tasks, as the profiler saw them. */
export function busyRuns(p: Profile, minMs: number): { from: number; to: number; ms: number }[] {
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const runs: { from: number; to: number; ms: number }[] = [];
  let from = -1;
  let ms = 0;
  for (let i = 0; i <= p.samples.length; i++) {
    const busy = i < p.samples.length && !idle.has(p.samples[i] as number);
    if (busy) {
      if (from < 0) from = i;
      ms += (p.timeDeltas[i + 1] ?? 0) / 1000;
    } else if (from >= 0) {
      if (ms > minMs) runs.push({ from, to: i, ms });
      from = -1;
      ms = 0;
    }
  }
  return runs;
}

/** The report: whole run, per quarter, inside long tasks. */
export function describeProfile(p: Profile, longTaskMs: number): string[] {
  const times = sampleTimes(p);
  const end = times.at(-1) ?? 0;
  const all = aggregate(p, () => true);
  const out = [`CPU profile: ${(end / 1000).toFixed(1)} s, busy ${all.total.toFixed(0)} ms`];
  out.push(
    '',
    'Self time, whole run:',
    ...all.self(20),
    '',
    'Inclusive time, whole run:',
    ...all.inclusive(30),
  );
  for (let q = 0; q < 4; q++) {
    const a = aggregate(p, (i) => (times[i] ?? 0) >= (q * end) / 4 && (times[i] ?? 0) < ((q + 1) * end) / 4);
    out.push('', `Quarter ${q + 1} (busy ${a.total.toFixed(0)} ms), self:`, ...a.self(12));
  }
  const runs = busyRuns(p, longTaskMs);
  out.push('', `Busy runs over ${longTaskMs} ms: ${runs.length}`);
  const inRuns = new Set(runs.flatMap((r) => Array.from({ length: r.to - r.from }, (_, k) => r.from + k)));
  out.push('', 'Inside those runs, inclusive:', ...aggregate(p, (i) => inRuns.has(i)).inclusive(25));
  const last = runs.at(-1);
  if (last) {
    const a = aggregate(p, (i) => i >= last.from && i < last.to);
    out.push('', `The last run (${last.ms.toFixed(0)} ms), inclusive:`, ...a.inclusive(20));
  }
  return out;
}
