// The API key in the desktop app. A key entered in Settings is encrypted by the OS (safeStorage,
// see safe-storage.ts) and written to the data directory; where the OS offers no real encryption,
// the key is kept in memory for this session only and the Settings screen says so — it is never
// written in plain text. A key typed here wins over ANTHROPIC_API_KEY, which remains the fallback.
// No electron import: the cipher is passed in, so this runs (and is tested) on plain Node.
import { readFile, rm } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import type { KeyInfo, KeyStore } from '../chat/target';

export interface Cipher {
  /** null when encryption is real; otherwise why not, as a phrase ("no OS keyring was found"). */
  unavailableReason(): Promise<string | null>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(data: Buffer): Promise<string>;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class SecretKeyStore implements KeyStore {
  private stored: string | null = null;
  private session: string | null = null;
  private noteText: string | null = null;

  constructor(private readonly opts: { file: string; cipher: Cipher; env?: NodeJS.ProcessEnv }) {}

  /** Reads the stored key, if any. Call once before use; failures become the note, never a throw. */
  async load(): Promise<void> {
    let data: Buffer;
    try {
      data = await readFile(this.opts.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.noteText = `The stored key could not be read (${describe(err)}); enter it again in Settings.`;
      else await this.noteIfUnencrypted();
      return;
    }
    const reason = await this.opts.cipher.unavailableReason();
    if (reason) {
      this.noteText = `A key is stored, but it cannot be decrypted here: ${reason}. Enter the key again; it will be kept for this session only.`;
      return;
    }
    try {
      this.stored = await this.opts.cipher.decrypt(data);
    } catch (err) {
      this.noteText = `The stored key could not be decrypted (${describe(err)}); enter it again in Settings.`;
    }
  }

  get(): KeyInfo | null {
    if (this.stored) return { key: this.stored, source: 'stored' };
    if (this.session) return { key: this.session, source: 'session' };
    const env = (this.opts.env ?? process.env)['ANTHROPIC_API_KEY'];
    return env ? { key: env, source: 'env' } : null;
  }

  note(): string | null {
    return this.noteText;
  }

  async set(key: string | null): Promise<void> {
    // Whatever happens next, an older stored key must not come back at the next start.
    await rm(this.opts.file, { force: true });
    this.stored = null;
    this.session = null;
    this.noteText = null;
    if (key === null) {
      await this.noteIfUnencrypted();
      return;
    }
    if (await this.noteIfUnencrypted()) {
      this.session = key;
      return;
    }
    await writeFileAtomic(this.opts.file, await this.opts.cipher.encrypt(key), { mode: 0o600, fsync: true });
    this.stored = key;
  }

  private async noteIfUnencrypted(): Promise<boolean> {
    const reason = await this.opts.cipher.unavailableReason();
    if (!reason) return false;
    this.noteText = `This system offers no encrypted storage for the key (${reason}), so a key entered here is kept for this session only and never written to disk. Enter it again next time, or set ANTHROPIC_API_KEY.`;
    return true;
  }
}
