// `npm run bench` arguments and the --check gate, with made-up results: which runs, what is
// refused, and the exit code a missed target gives.
import { describe, expect, test } from 'vitest';
import { commandOf, exitCodeOf, parseBenchArgs } from '../../../bench/lib/args';
import { summary, type Run } from '../../../bench/report';
import { check, info, type BenchResult } from '../../../bench/lib/result';

const IDS = ['relay', 'cancel', 'bundle', 'long-conversation'];

const result = (id: string, rows: BenchResult['rows']): BenchResult => ({
  id,
  title: `The ${id} bench`,
  rows,
  notes: [],
  data: null,
  seconds: 1,
});

const runOf = (results: BenchResult[]): Run => ({
  date: '2026-12-01T00:00:00.000Z',
  machine: { cpus: 2, model: 'test', ramGb: 1, node: 'v20', platform: 'linux' },
  command: 'npm run bench',
  seconds: 1,
  results,
});

describe('parseBenchArgs', () => {
  test('no arguments: every benchmark, no gate', () => {
    expect(parseBenchArgs([], IDS)).toEqual({ ok: true, args: { only: null, check: false } });
  });

  test('--only=A,B and --only A,B select the same benchmarks, in the order given', () => {
    const joined = parseBenchArgs(['--only=bundle,relay'], IDS);
    const spaced = parseBenchArgs(['--only', 'bundle,relay'], IDS);
    expect(joined).toEqual({ ok: true, args: { only: ['bundle', 'relay'], check: false } });
    expect(spaced).toEqual(joined);
    expect(parseBenchArgs(['--only', 'bundle'], IDS)).toEqual({
      ok: true,
      args: { only: ['bundle'], check: false },
    });
  });

  test('--check with --only in either order; repeated --only adds ids once', () => {
    expect(parseBenchArgs(['--check', '--only', 'cancel'], IDS)).toEqual({
      ok: true,
      args: { only: ['cancel'], check: true },
    });
    expect(parseBenchArgs(['--only', 'cancel', '--only=cancel,bundle', '--check'], IDS)).toEqual({
      ok: true,
      args: { only: ['cancel', 'bundle'], check: true },
    });
  });

  test('an unknown id is refused with the ids there are', () => {
    const parsed = parseBenchArgs(['--only', 'relay,nope'], IDS);
    expect(parsed).toEqual({
      ok: false,
      message: 'Unknown benchmark nope; the ids are relay, cancel, bundle, long-conversation.',
    });
  });

  test('--only without ids, or followed by another flag, says what it needs', () => {
    for (const argv of [['--only'], ['--only='], ['--only', '--check']]) {
      const parsed = parseBenchArgs(argv, IDS);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.message).toMatch(/^--only needs benchmark ids \(--only NAME/);
    }
  });

  test('an argument it does not know is refused, not ignored', () => {
    expect(parseBenchArgs(['--chek'], IDS)).toEqual({
      ok: false,
      message: 'Unknown argument --chek; npm run bench takes --only NAME[,NAME…] and --check.',
    });
  });
});

describe('the --check gate', () => {
  const met = result('relay', [check('p99 ratio', '×1.2', '≤ ×1.5', true), info('runs', '5')]);
  const missed = result('bundle', [
    check('First chunk', '439 KB', '≤ 250 kB', false),
    check('Build warnings', 'none', 'none', true),
  ]);

  test('a run with every target met exits 0 with or without --check', () => {
    const { met: n, missed: names } = summary(runOf([met]));
    expect([n, names]).toEqual([1, []]);
    expect(exitCodeOf(true, names)).toBe(0);
    expect(exitCodeOf(false, names)).toBe(0);
  });

  test('a missed target exits 1 under --check, naming the benchmark and the measure', () => {
    const { met: n, missed: names } = summary(runOf([met, missed]));
    expect(n).toBe(2);
    expect(names).toEqual(['The bundle bench: First chunk']);
    expect(exitCodeOf(true, names)).toBe(1);
    expect(exitCodeOf(false, names)).toBe(0);
  });

  test('the command the results quote holds the flags as given', () => {
    expect(commandOf({ only: null, check: false })).toBe('npm run bench');
    expect(commandOf({ only: null, check: true })).toBe('npm run bench -- --check');
    expect(commandOf({ only: ['bundle', 'relay'], check: true })).toBe(
      'npm run bench -- --only=bundle,relay --check',
    );
  });
});
