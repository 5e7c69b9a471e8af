// `npm run bench` arguments: `--only=a,b` or `--only a,b` (a subset of the ids), `--check` (exit
// non-zero when a target is missed). Bad input is a sentence naming what was wrong and what is
// allowed, never a run of the wrong benchmarks.
export type BenchArgs = { only: string[] | null; check: boolean };

export type Parsed = { ok: true; args: BenchArgs } | { ok: false; message: string };

export function parseBenchArgs(argv: readonly string[], ids: readonly string[]): Parsed {
  let only: string[] | null = null;
  let check = false;
  const known = `the ids are ${ids.join(', ')}`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--check') {
      check = true;
    } else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (value === undefined || value === '' || value.startsWith('--'))
        return { ok: false, message: `--only needs benchmark ids (--only NAME or --only=A,B); ${known}.` };
      const list = value.split(',').filter((id) => id !== '');
      const unknown = list.filter((id) => !ids.includes(id));
      if (unknown.length > 0)
        return { ok: false, message: `Unknown benchmark ${unknown.join(', ')}; ${known}.` };
      only = [...(only ?? []), ...list.filter((id) => !only?.includes(id))];
    } else {
      return {
        ok: false,
        message: `Unknown argument ${arg}; npm run bench takes --only NAME[,NAME…] and --check.`,
      };
    }
  }
  return { ok: true, args: { only, check } };
}

/** The exit code of a finished run: 1 when `--check` is on and a target was missed, else 0. */
export const exitCodeOf = (check: boolean, missed: readonly string[]): number =>
  check && missed.length > 0 ? 1 : 0;

/** The command as the results files quote it. */
export function commandOf({ only, check }: BenchArgs): string {
  const flags = [...(only ? [`--only=${only.join(',')}`] : []), ...(check ? ['--check'] : [])];
  return flags.length > 0 ? `npm run bench -- ${flags.join(' ')}` : 'npm run bench';
}
