import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig } from '../config/app-config';
import { pinoHttpOptions } from './logging';

describe('structured logs', () => {
  const config = loadConfig({
    ADMIN_TOKEN: 'a'.repeat(32),
    ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
    VPOS_WEBHOOK_SECRETS: 'plain-secret',
    VPOS_SIGNATURE_SCHEME: 'hmac-sha256',
    VPOS_SIGNATURE_HEADER: 'X-Custom-Sig',
    VPOS_API_TOKEN: 'merchant-token',
  });

  it('redact authorization, cookies, signatures and token-like fields', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const opts = pinoHttpOptions(config);
    const logger = pino({ level: 'info', redact: opts.redact }, sink);
    logger.info(
      {
        req: {
          headers: {
            authorization: 'Bearer admin-secret-token',
            cookie: 'sid=abc',
            'webhook-signature': 'v1,c2lnbmF0dXJl',
            'x-custom-sig': 'deadbeef',
            'content-type': 'application/json',
          },
        },
        connection: { accessToken: 'at-123', refresh_token: 'rt-456', client_secret: 'cs-789' },
      },
      'request',
    );
    const out = lines.join('');
    for (const secret of [
      'admin-secret-token',
      'sid=abc',
      'c2lnbmF0dXJl',
      'deadbeef',
      'at-123',
      'rt-456',
      'cs-789',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('application/json');
    expect(out).toContain('[redacted]');
  });
});
