// The desktop app's key store: encrypted on disk when the OS can encrypt, session-only (and said
// so) when it cannot, never written in plain text; ANTHROPIC_API_KEY as the fallback.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { SecretKeyStore, type Cipher } from '../../src/main/electron/secrets';

const SECRET = 'sk-ant-api03-secret-value';
const cleanups: string[] = [];
afterEach(async () => {
  for (const dir of cleanups.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A reversible stand-in for the OS: XOR with a byte, so the file cannot contain the plain key. */
const osCipher = (available = true): Cipher & { calls: string[] } => {
  const calls: string[] = [];
  const flip = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  return {
    calls,
    unavailableReason: async () => (available ? null : 'no OS keyring was found'),
    encrypt: async (plain) => {
      calls.push('encrypt');
      return flip(Buffer.from(`v1:${plain}`));
    },
    decrypt: async (data) => {
      calls.push('decrypt');
      const text = flip(data).toString();
      if (!text.startsWith('v1:')) throw new Error('bad data');
      return text.slice(3);
    },
  };
};

async function keyFile() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-secrets-'));
  cleanups.push(dir);
  return join(dir, 'key.bin');
}

test('with OS encryption the key is stored encrypted, read back at the next start, and wins over the env', async () => {
  const file = await keyFile();
  const env = { ANTHROPIC_API_KEY: 'sk-from-env' };
  const store = new SecretKeyStore({ file, cipher: osCipher(), env });
  await store.load();
  expect(store.get()).toEqual({ key: 'sk-from-env', source: 'env' });

  await store.set(SECRET);
  expect(store.get()).toEqual({ key: SECRET, source: 'stored' });
  expect(store.note()).toBeNull();
  const bytes = await readFile(file);
  expect(bytes.toString('latin1')).not.toContain(SECRET);
  expect((await stat(file)).mode & 0o077).toBe(0);

  const restarted = new SecretKeyStore({ file, cipher: osCipher(), env });
  await restarted.load();
  expect(restarted.get()).toEqual({ key: SECRET, source: 'stored' });

  await restarted.set(null);
  await expect(stat(file)).rejects.toThrow();
  expect(restarted.get()).toEqual({ key: 'sk-from-env', source: 'env' });
});

test('without OS encryption the key is kept for the session only, nothing is written, and the note says so', async () => {
  const file = await keyFile();
  const cipher = osCipher(false);
  const store = new SecretKeyStore({ file, cipher, env: {} });
  await store.load();
  expect(store.note()).toMatch(/no encrypted storage.*no OS keyring was found.*session only/);

  await store.set(SECRET);
  expect(store.get()).toEqual({ key: SECRET, source: 'session' });
  expect(store.note()).toMatch(/session only/);
  await expect(stat(file)).rejects.toThrow();
  expect(cipher.calls).toEqual([]);

  const restarted = new SecretKeyStore({ file, cipher, env: {} });
  await restarted.load();
  expect(restarted.get()).toBeNull();
});

test('a stored key that cannot be decrypted is reported, not used, and replaced by the next one', async () => {
  const file = await keyFile();
  await writeFile(file, Buffer.from('garbage'));
  const store = new SecretKeyStore({ file, cipher: osCipher(), env: {} });
  await store.load();
  expect(store.get()).toBeNull();
  expect(store.note()).toMatch(/could not be decrypted.*enter it again/);

  await store.set(SECRET);
  expect(store.note()).toBeNull();
  const restarted = new SecretKeyStore({ file, cipher: osCipher(), env: {} });
  await restarted.load();
  expect(restarted.get()?.key).toBe(SECRET);
});

test('a stored key on a machine that can no longer decrypt it is not used, and the note says why', async () => {
  const file = await keyFile();
  const first = new SecretKeyStore({ file, cipher: osCipher(), env: {} });
  await first.set(SECRET);
  const store = new SecretKeyStore({ file, cipher: osCipher(false), env: {} });
  await store.load();
  expect(store.get()).toBeNull();
  expect(store.note()).toMatch(/cannot be decrypted here: no OS keyring was found/);
});
