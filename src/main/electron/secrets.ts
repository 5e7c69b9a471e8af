// API keys in the desktop app, one per provider. A key entered in Settings is encrypted by the OS
// (safeStorage, see safe-storage.ts) and written to the data directory — the Anthropic key in
// `file`, an OpenAI-compatible provider's beside it as `key-<id>.bin`; where the OS offers no real
// encryption, keys are kept in memory for this session only and the Settings screen says so — never
// written in plain text. A key typed here wins over the provider's variable (ANTHROPIC_API_KEY,
// OPENAI_API_KEY…), which remains the fallback.
// No electron import: the cipher is passed in, so this runs (and is tested) on plain Node.
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ANTHROPIC_KEY, envKey, type KeyInfo, type KeySlot, type KeyStore } from '../chat/target';

export interface Cipher {
  /** null when encryption is real; otherwise why not, as a phrase ("no OS keyring was found"). */
  unavailableReason(): Promise<string | null>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(data: Buffer): Promise<string>;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
const OTHER_KEY = /^key-([a-z0-9][a-z0-9-]{0,39})\.bin$/;

export class SecretKeyStore implements KeyStore {
  private readonly stored = new Map<string, string>();
  private readonly session = new Map<string, string>();
  private noteText: string | null = null;

  constructor(private readonly opts: { file: string; cipher: Cipher; env?: NodeJS.ProcessEnv }) {}

  private fileOf(id: string): string {
    return id === ANTHROPIC_KEY.id ? this.opts.file : join(dirname(this.opts.file), `key-${id}.bin`);
  }

  /** Reads the stored keys, if any. Call once before use; failures become the note, never a throw. */
  async load(): Promise<void> {
    const ids = [ANTHROPIC_KEY.id];
    try {
      for (const name of await readdir(dirname(this.opts.file))) {
        const id = OTHER_KEY.exec(name)?.[1];
        if (id) ids.push(id);
      }
    } catch {
      // No data directory yet: nothing stored.
    }
    let noneStored = true;
    for (const id of ids) {
      let data: Buffer;
      try {
        data = await readFile(this.fileOf(id));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          this.noteText = `A stored key could not be read (${describe(err)}); enter it again in Settings.`;
        continue;
      }
      noneStored = false;
      const reason = await this.opts.cipher.unavailableReason();
      if (reason) {
        this.noteText = `A key is stored, but it cannot be decrypted here: ${reason}. Enter the key again; it will be kept for this session only.`;
        return;
      }
      try {
        this.stored.set(id, await this.opts.cipher.decrypt(data));
      } catch (err) {
        this.noteText = `The stored key could not be decrypted (${describe(err)}); enter it again in Settings.`;
      }
    }
    if (noneStored && this.noteText === null) await this.noteIfUnencrypted();
  }

  get(slot: KeySlot = ANTHROPIC_KEY): KeyInfo | null {
    const stored = this.stored.get(slot.id);
    if (stored) return { key: stored, source: 'stored' };
    const session = this.session.get(slot.id);
    if (session) return { key: session, source: 'session' };
    return envKey(this.opts.env ?? process.env, slot);
  }

  note(): string | null {
    return this.noteText;
  }

  async set(key: string | null, slot: KeySlot = ANTHROPIC_KEY): Promise<void> {
    // Whatever happens next, an older stored key must not come back at the next start.
    await rm(this.fileOf(slot.id), { force: true });
    this.stored.delete(slot.id);
    this.session.delete(slot.id);
    this.noteText = null;
    if (key === null) {
      await this.noteIfUnencrypted();
      return;
    }
    if (await this.noteIfUnencrypted()) {
      this.session.set(slot.id, key);
      return;
    }
    await writeFileAtomic(this.fileOf(slot.id), await this.opts.cipher.encrypt(key), {
      mode: 0o600,
      fsync: true,
    });
    this.stored.set(slot.id, key);
  }

  private async noteIfUnencrypted(): Promise<boolean> {
    const reason = await this.opts.cipher.unavailableReason();
    if (!reason) return false;
    this.noteText = `This system offers no encrypted storage for keys (${reason}), so a key entered here is kept for this session only and never written to disk. Enter it again next time, or set the provider's variable (ANTHROPIC_API_KEY, OPENAI_API_KEY…).`;
    return true;
  }
}
