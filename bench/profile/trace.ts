// Summaries of a Chromium devtools.timeline trace: self time per trace event on the renderer's
// main thread (nested events are not counted twice), overall, per quarter, nested in script calls
// (layout and style the script forced) and inside tasks over a threshold. The CPU profile shows
// native work only as "(program)"; the trace names it.
type TraceEvent = {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
  args?: { name?: string };
};

type Slice = { name: string; ts: number; self: number; taskDur: number; inScript: boolean };

export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink'];

export function describeTrace(json: string, longTaskMs: number): string[] {
  const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = events.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
  );
  if (!main) return ['(no renderer main thread in the trace)'];
  const onMain = events
    .filter((e) => e.ph === 'X' && e.tid === main.tid && e.pid === main.pid && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));

  type Open = { e: TraceEvent; end: number; children: number; task: TraceEvent; inScript: boolean };
  const stack: Open[] = [];
  const slices: Slice[] = [];
  const close = (o: Open) =>
    slices.push({
      name: o.e.name,
      ts: o.e.ts,
      self: (o.e.dur ?? 0) - o.children,
      taskDur: o.task.dur ?? 0,
      inScript: o.inScript,
    });
  for (const e of onMain) {
    while (stack.length > 0 && (stack.at(-1) as Open).end <= e.ts) close(stack.pop() as Open);
    const parent = stack.at(-1);
    if (parent) parent.children += e.dur ?? 0;
    stack.push({
      e,
      end: e.ts + (e.dur ?? 0),
      children: 0,
      task: parent ? parent.task : e,
      inScript: parent ? parent.inScript || parent.e.name === 'FunctionCall' : false,
    });
  }
  while (stack.length > 0) close(stack.pop() as Open);

  const sum = (keep: (s: Slice) => boolean, n: number) => {
    const m = new Map<string, number>();
    let total = 0;
    for (const s of slices) {
      if (!keep(s)) continue;
      m.set(s.name, (m.get(s.name) ?? 0) + s.self / 1000);
      total += s.self / 1000;
    }
    return [
      `  total ${total.toFixed(0)} ms`,
      ...[...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([name, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${name}`),
    ];
  };
  const first = onMain[0]?.ts ?? 0;
  const last = onMain.reduce((m, e) => Math.max(m, e.ts + (e.dur ?? 0)), first);
  const long = longTaskMs * 1000;
  const tasks = onMain.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > long);
  const out = ['Trace, renderer main thread, self time by event:', ...sum(() => true, 18)];
  for (let q = 0; q < 4; q++) {
    const from = first + ((last - first) * q) / 4;
    const to = first + ((last - first) * (q + 1)) / 4;
    out.push('', `Trace quarter ${q + 1}:`, ...sum((s) => s.ts >= from && s.ts < to, 8));
  }
  out.push('', 'Trace: nested in script calls (forced synchronously by JS):', ...sum((s) => s.inScript, 8));
  const longest = tasks.reduce((m, t) => Math.max(m, t.dur ?? 0), 0) / 1000;
  out.push(
    '',
    `Trace: ${tasks.length} tasks over ${longTaskMs} ms (longest ${longest.toFixed(0)} ms); inside them:`,
    ...sum((s) => s.taskDur > long, 14),
  );
  return out;
}

/** The marks the benchmark's pages set (performance.mark) around one streamed answer. */
export const STREAM_START = 'sluice-bench:start';
export const STREAM_END = 'sluice-bench:end';

/** Enough for mainThreadBusy and light enough not to weigh on what it measures. */
export const BUSY_CATEGORIES = ['toplevel', 'blink.user_timing'];

export type MainThreadBusy = {
  /** Sum of top-level task durations on the renderer's main thread between the marks. */
  busyMs: number;
  /** From the start mark to the end mark. */
  wallMs: number;
};

/** Main-thread busy time of one streamed answer, from a trace with BUSY_CATEGORIES. */
export function mainThreadBusy(json: string): MainThreadBusy | null {
  const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents;
  // The page's main thread is the one that set the marks.
  const start = events.find((e) => e.name === STREAM_START);
  const end = events.find((e) => e.name === STREAM_END);
  if (!start || !end) return null;
  const from = start.ts;
  const to = end.ts;
  let busy = 0;
  let coveredTo = -Infinity;
  // Every complete event of the `toplevel` category (ThreadControllerImpl::RunTask and the mojo
  // and microtask work beside it): their union, so an event inside another counts once.
  const tasks = events
    .filter(
      (e) =>
        e.ph === 'X' && e.pid === start.pid && e.tid === start.tid && e.cat?.split(',').includes('toplevel'),
    )
    .sort((a, b) => a.ts - b.ts);
  for (const e of tasks) {
    const finish = e.ts + (e.dur ?? 0);
    const begin = Math.max(e.ts, coveredTo, from);
    busy += Math.max(0, Math.min(finish, to) - begin);
    coveredTo = Math.max(coveredTo, finish);
  }
  return { busyMs: busy / 1000, wallMs: (to - from) / 1000 };
}
