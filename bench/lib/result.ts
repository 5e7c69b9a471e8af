// What every benchmark hands back: table rows (one per measured claim, a target where the issue
// sets one) and the raw numbers for results.json.
export type Status = 'met' | 'MISSED';

export type Row = {
  measure: string;
  result: string;
  /** The target as stated, or '' when the row only informs. */
  target: string;
  status: Status | null;
};

export type BenchResult = {
  id: string;
  title: string;
  rows: Row[];
  /** Sentences a reader needs to trust the rows (settings, caveats, what was checked). */
  notes: string[];
  data: unknown;
  seconds: number;
};

export const info = (measure: string, result: string): Row => ({ measure, result, target: '', status: null });

export const check = (measure: string, result: string, target: string, ok: boolean): Row => ({
  measure,
  result,
  target,
  status: ok ? 'met' : 'MISSED',
});

const started = performance.now();

/** Progress on stderr, with the time since the run began. */
export function progress(bench: string, message: string): void {
  const s = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${s} s] ${bench.padEnd(12)} ${message}\n`);
}

export const ms = (v: number, digits = 2): string => (Number.isFinite(v) ? `${v.toFixed(digits)} ms` : 'n/a');
export const x = (v: number): string => (Number.isFinite(v) ? `×${v.toFixed(3)}` : 'n/a');
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
