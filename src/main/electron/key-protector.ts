/**
 * Signing keys in the desktop app: the private part is encrypted by the OS keychain through
 * safeStorage (the CLI uses a passphrase instead). Bytes are base64'd because safeStorage
 * encrypts strings.
 */
import { safeStorage } from 'electron';
import { AppError } from '../../shared/errors';
import type { KeyProtector } from '../rollout/publish/keys';

export const safeStorageKeyProtector: KeyProtector = {
  id: 'safe-storage',
  async protect(plain) {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new AppError(
        'forbidden',
        'The operating system keychain is not available, so no signing key was created.',
      );
    }
    return safeStorage.encryptString(Buffer.from(plain).toString('base64'));
  },
  async unprotect(protectedBytes) {
    try {
      return Buffer.from(safeStorage.decryptString(Buffer.from(protectedBytes)), 'base64');
    } catch (error) {
      throw new AppError(
        'forbidden',
        'This signing key was encrypted by another user or machine and cannot be opened here.',
        { cause: error },
      );
    }
  },
};
