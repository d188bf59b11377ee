/** The emulator's own RS256 key for id_tokens, published as a JWKS at /oauth2/v3/certs. */
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

export class IdTokenSigner {
  private key: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;

  /** Generated on first use, so starting the emulator stays fast. */
  private pair(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    if (!this.key) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.key = { ...pair, kid: randomBytes(20).toString('hex') };
    }
    return this.key;
  }

  sign(claims: Record<string, unknown>): string {
    const { privateKey, kid } = this.pair();
    const encode = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${encode({ alg: 'RS256', kid, typ: 'JWT' })}.${encode(claims)}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
  }

  jwks(): object {
    const { publicKey, kid } = this.pair();
    return { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  }
}
