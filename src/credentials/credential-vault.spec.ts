import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { CredentialVault } from './credential-vault';

const vault = (key = randomBytes(32)) => new CredentialVault({ encryptionKey: key } as AppConfig);

describe('credential vault (AES-256-GCM)', () => {
  it('round-trips and never shows the secret in the envelope', () => {
    const v = vault();
    const sealed = v.seal('conn-1', { accessToken: 'super-secret-token' });
    expect(sealed.toString('latin1')).not.toContain('super-secret-token');
    expect(v.open('conn-1', sealed)).toEqual({ accessToken: 'super-secret-token' });
  });

  it('refuses an envelope moved to another connection or tampered with', () => {
    const v = vault();
    const sealed = v.seal('conn-1', { t: 1 });
    expect(() => v.open('conn-2', sealed)).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => v.open('conn-1', tampered)).toThrow();
  });

  it('refuses another key', () => {
    const sealed = vault().seal('c', { t: 1 });
    expect(() => vault().open('c', sealed)).toThrow();
  });
});
