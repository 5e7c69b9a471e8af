// safeStorage as a Cipher. On Linux without a keyring Electron falls back to `basic_text`, which
// only obfuscates with a fixed password; that is treated as no encryption at all.
import { safeStorage } from 'electron';
import type { Cipher } from './secrets';

export const safeStorageCipher: Cipher = {
  async unavailableReason() {
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return 'no OS keyring such as GNOME Keyring or KWallet was found';
    }
    if (!(await safeStorage.isAsyncEncryptionAvailable())) return 'the OS did not provide an encryption key';
    return null;
  },
  encrypt: (plain) => safeStorage.encryptStringAsync(plain),
  decrypt: async (data) => (await safeStorage.decryptStringAsync(data)).result,
};
