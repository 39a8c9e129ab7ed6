import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * AES-256-GCM for the participant PIN: unlike the moderator PIN it must be shown again in the
 * customer area, so it is encrypted rather than hashed. The authentication tag makes a tampered
 * value fail to decrypt instead of yielding a different PIN.
 */
export class ParticipantPinCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The PIN encryption key must be 32 bytes');
  }

  encrypt(pin: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const encrypted = Buffer.concat([cipher.update(pin, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), encrypted].map((part) => (typeof part === 'string' ? part : part.toString('base64'))).join(':');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, encrypted] = stored.split(':');
    if (version !== VERSION || !iv || !tag || !encrypted) throw new Error('Unknown participant PIN format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]).toString('utf8');
  }
}
