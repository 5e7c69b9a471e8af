// The numbers of DESIGN.md "What the numbers mean", computed the same way wherever they are
// observed: the main process feeds relay events with their receive time `event.t`, the renderer
// with its own performance.now(); the difference between the two is the relay's own cost.
import type { Metrics, RelayEvent, StreamEvent, WireDelta } from './protocol';

/** Moments of one turn, all in the observer's clock (ms). */
export type TimingMarks = {
  /** The request was sent. */
  startedAt: number;
  /** Response headers arrived (the first attempt that got any). */
  headersAt: number | null;
  /** The first thinking or text: what a person waiting sees first. */
  firstProgressAt: number | null;
  firstTextAt: number | null;
  /** First and last output token of any kind (thinking, text, tool input). */
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  endedAt: number | null;
  /** Output tokens of the whole turn: the sum over the steps of the tool loop. */
  outputTokens: number | null;
  /** The last cumulative output_tokens of each step; absent until a step reports usage. */
  stepOutputTokens?: Readonly<Record<number, number>>;
};

export function createMarks(startedAt: number): TimingMarks {
  return {
    startedAt,
    headersAt: null,
    firstProgressAt: null,
    firstTextAt: null,
    firstTokenAt: null,
    lastTokenAt: null,
    endedAt: null,
    outputTokens: null,
  };
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/**
 * A copy of `marks`, field by field. This runs once per streamed event on both sides of the
 * relay, and V8 (Node 20) built the spread that overrides (`{ ...marks, lastTokenAt: now }`) in
 * about 3 µs here, against under 0.1 µs for this literal: a third of the turn reducer's time.
 */
function copyOf(marks: TimingMarks): TimingMarks {
  const copy: TimingMarks = {
    startedAt: marks.startedAt,
    headersAt: marks.headersAt,
    firstProgressAt: marks.firstProgressAt,
    firstTextAt: marks.firstTextAt,
    firstTokenAt: marks.firstTokenAt,
    lastTokenAt: marks.lastTokenAt,
    endedAt: marks.endedAt,
    outputTokens: marks.outputTokens,
  };
  if (marks.stepOutputTokens) copy.stepOutputTokens = marks.stepOutputTokens;
  return copy;
}

/**
 * True for the events that carry output the model produced: thinking, text and tool-input deltas
 * with something in them. Thinking counts: a reasoning model that streams thinking is not silent.
 */
export function isContentEvent(event: StreamEvent): boolean {
  // Junk from the wire may not be an object at all (the SDK yields `data: null` as null).
  if (!isObject(event) || event.type !== 'content_block_delta') return false;
  const delta = event.delta as WireDelta | undefined; // junk from the wire may lack it
  switch (delta?.type) {
    case 'text_delta':
      return nonEmpty(delta.text);
    case 'thinking_delta':
      return nonEmpty(delta.thinking);
    case 'input_json_delta':
      return nonEmpty(delta.partial_json);
    case 'signature_delta':
    case 'citations_delta':
    case undefined:
    default: // and any delta type the wire adds
      return false;
  }
}

/** Returns `marks` itself when the event moves no mark. Empty deltas are not tokens and move none. */
export function observeRelayEvent(marks: TimingMarks, event: RelayEvent, now: number): TimingMarks {
  switch (event.type) {
    case 'status':
      if (event.status.phase !== 'waiting' || marks.headersAt !== null) return marks;
      return { ...marks, headersAt: now };
    case 'provider':
      return observeProviderEvent(marks, event.step, event.event, now);
    case 'terminal':
      return { ...marks, endedAt: now };
    case 'turn_start':
    case 'tool_result':
    case 'snapshot':
      return marks;
    default: {
      const _unknown: never = event;
      return marks;
    }
  }
}

function observeProviderEvent(
  marks: TimingMarks,
  step: number,
  event: StreamEvent,
  now: number,
): TimingMarks {
  if (!isObject(event)) return marks; // junk from the wire
  if (event.type === 'message_delta') {
    const n = event.usage?.output_tokens;
    if (typeof n !== 'number' || !Number.isFinite(n)) return marks;
    // Usage is cumulative within one request: the step's last value replaces its earlier ones,
    // and the turn's total is the sum over the requests the tool loop made.
    const stepOutputTokens = { ...marks.stepOutputTokens, [step]: n };
    const outputTokens = Object.values(stepOutputTokens).reduce((sum, k) => sum + k, 0);
    return { ...marks, stepOutputTokens, outputTokens };
  }
  if (!isContentEvent(event) || event.type !== 'content_block_delta') return marks;
  const kind = event.delta.type;
  const progress = kind === 'text_delta' || kind === 'thinking_delta';
  const next = copyOf(marks);
  next.firstProgressAt = marks.firstProgressAt ?? (progress ? now : null);
  next.firstTextAt = marks.firstTextAt ?? (kind === 'text_delta' ? now : null);
  next.firstTokenAt = marks.firstTokenAt ?? now;
  next.lastTokenAt = now;
  return next;
}

export function computeMetrics(marks: TimingMarks): Metrics {
  const since = (t: number | null): number | null => (t === null ? null : t - marks.startedAt);
  const n = marks.outputTokens;
  const span =
    marks.firstTokenAt !== null && marks.lastTokenAt !== null ? marks.lastTokenAt - marks.firstTokenAt : null;
  // With fewer than two tokens or no time between first and last there is no rate to speak of.
  const rated = n !== null && n >= 2 && span !== null && span > 0;
  // A turn that has not ended yet (or whose end was never observed) lasts until its latest mark.
  const lastSeen =
    marks.endedAt ?? Math.max(marks.startedAt, marks.headersAt ?? -Infinity, marks.lastTokenAt ?? -Infinity);
  return {
    ttfbMs: since(marks.headersAt),
    firstProgressMs: since(marks.firstProgressAt),
    ttftMs: since(marks.firstTextAt),
    tpotMs: rated ? span / (n - 1) : null,
    totalMs: lastSeen - marks.startedAt,
    outputTokens: n,
    tokensPerSecond: rated ? n / (span / 1000) : null,
  };
}

export type BufferingVerdict = { buffered: boolean; reason: string };

/** Fewer content events than this say nothing about how they were delivered. */
export const BUFFERING_MIN_EVENTS = 20;
/** The first content event arriving later than this fraction of the turn is suspicious… */
export const BUFFERING_LATE_FRACTION = 0.8;
/** …and all of them arriving within this fraction of the turn makes it one burst… */
export const BUFFERING_BURST_FRACTION = 0.2;
/**
 * …released faster than any model produces tokens: a proxy flushing its buffer hands over many
 * events in one read (gaps near zero), while a slow start followed by live streaming keeps the
 * model's own pace between tokens.
 */
export const BUFFERING_MAX_MEDIAN_GAP_MS = 1;

/**
 * Tells a proxy that holds the stream back and releases it in one lump from honest streaming.
 * `arrivals` are the arrival times of the content events (see isContentEvent: thinking counts, so
 * a reasoning model thinking for 10 s after a 0.4 s TTFT is streaming, not buffered). A long silent
 * wait followed by very fast output looks the same as buffering from timing alone; that case is
 * rare with real models, whose tokens arrive tens of milliseconds apart.
 */
export function detectBuffering(
  arrivals: readonly number[],
  startedAt: number,
  endedAt: number,
): BufferingVerdict {
  const total = endedAt - startedAt;
  const count = arrivals.length;
  if (count < BUFFERING_MIN_EVENTS) {
    return {
      buffered: false,
      reason: `Only ${count} content events: too few to judge how the stream was delivered.`,
    };
  }
  if (!(total > 0)) return { buffered: false, reason: 'The turn took no measurable time.' };
  // A loop, not Math.min(...arrivals): a long answer has more events than a call has arguments.
  let first = Infinity;
  let last = -Infinity;
  for (const t of arrivals) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const firstAt = (first - startedAt) / total;
  const spread = (last - first) / total;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  if (firstAt <= BUFFERING_LATE_FRACTION) {
    return {
      buffered: false,
      reason: `Content started arriving ${pct(firstAt)} into the ${formatMs(total)} turn: it was streamed as produced.`,
    };
  }
  if (spread >= BUFFERING_BURST_FRACTION) {
    return {
      buffered: false,
      reason: `Content started late (${pct(firstAt)} into the turn) but arrived over ${formatMs(last - first)}, not in one burst: a slow start, not buffering.`,
    };
  }
  const sorted = [...arrivals].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => t - sorted[i]!);
  gaps.sort((a, b) => a - b);
  const medianGap = gaps[Math.floor(gaps.length / 2)] ?? 0;
  if (medianGap > BUFFERING_MAX_MEDIAN_GAP_MS) {
    return {
      buffered: false,
      reason: `Content started late (${pct(firstAt)} into the turn) but tokens kept the model's pace (${formatMs(medianGap)} apart): a slow start, not buffering.`,
    };
  }
  return {
    buffered: true,
    reason:
      `All ${count} content events arrived in one burst of ${formatMs(last - first)} at the end of the ${formatMs(total)} turn, ` +
      `after ${formatMs(first - startedAt)} of silence: something between Sluice and the provider (a proxy?) is buffering the stream. ` +
      'Turn off response buffering for this endpoint (nginx: proxy_buffering off, or send X-Accel-Buffering: no).',
  };
}

/** "412 ms", "1.23 s", "12.3 s", "125 s"; "—" when there is no number. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (Math.abs(Math.round(ms)) < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (Math.abs(s) < 9.995) return `${s.toFixed(2)} s`;
  if (Math.abs(s) < 99.95) return `${s.toFixed(1)} s`;
  return `${Math.round(s)} s`;
}

/** "42.5 tok/s"; "—" when there is no rate. */
export function formatTokensPerSecond(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '—';
  return `${rate < 100 ? rate.toFixed(1) : Math.round(rate)} tok/s`;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}
