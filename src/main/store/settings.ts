// Settings on disk, validated whole: an invalid change is refused and nothing is written.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { issuesOf, type ApiIssue } from '../../shared/errors';
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../shared/protocol';
import { readJson, writeJsonAtomic } from './atomic';

export class InvalidSettingsError extends Error {
  readonly type = 'invalid_settings';
  constructor(readonly issues: ApiIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

export class SettingsStore {
  private readonly path: string;
  private current: Settings | null = null;
  /** Set when the file on disk was unreadable or invalid and defaults were used instead. */
  warning: string | null = null;

  /**
   * `defaults` fill what the file does not say: a fresh data directory with ANTHROPIC_API_KEY set
   * starts on the Anthropic provider rather than the simulated one.
   */
  constructor(
    /** The data directory, where the person's own prices.json sits beside settings.json too. */
    readonly dataDir: string,
    private readonly defaults: Settings = DEFAULT_SETTINGS,
  ) {
    this.path = join(dataDir, 'settings.json');
  }

  async get(): Promise<Settings> {
    if (this.current) return this.current;
    const read = await readJson(this.path);
    if (read.ok) {
      const parsed = SettingsSchema.safeParse({ ...this.defaults, ...(read.value as object) });
      if (parsed.success) {
        this.current = parsed.data;
      } else {
        this.warning = `Settings in ${this.path} were invalid (${issuesOf(parsed.error, '(settings)')
          .map((i) => `${i.path}: ${i.message}`)
          .join('; ')}); using defaults until you save new ones. The file was left as it is.`;
      }
    } else if (!read.missing) {
      this.warning = `${read.error}; using defaults until you save new ones.`;
    }
    this.current ??= structuredClone(this.defaults);
    return this.current;
  }

  /** Merges a patch, validates the whole, then writes. On an invalid value nothing changes. */
  async update(patch: unknown): Promise<Settings> {
    const base = await this.get();
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new InvalidSettingsError([{ path: '(settings)', message: 'Expected an object of settings.' }]);
    }
    const p = patch as Record<string, unknown>;
    // Nested groups merge field by field; a non-object there is kept as given, so validation names it.
    const nested = (key: 'thinking' | 'sim') => {
      const value = p[key];
      if (value === undefined) return base[key];
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { ...base[key], ...value }
        : value;
    };
    const merged = { ...base, ...p, thinking: nested('thinking'), sim: nested('sim') };
    const parsed = SettingsSchema.safeParse(merged);
    if (!parsed.success) throw new InvalidSettingsError(issuesOf(parsed.error, '(settings)'));
    await mkdir(dirname(this.path), { recursive: true });
    await writeJsonAtomic(this.path, parsed.data);
    this.current = parsed.data;
    this.warning = null;
    return parsed.data;
  }
}
