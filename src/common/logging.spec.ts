import pino from 'pino';
import pinoHttp from 'pino-http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig } from '../load-config';
import { pinoHttpOptions, redactUrl } from './logging';

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

  it('request lines carry no OAuth code or state, in the URL or in a redirect', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pinoHttp(pinoHttpOptions(config), sink);
    const server = createServer((req, res) => {
      log(req, res);
      res.writeHead(302, {
        location: 'https://x.bitrix24.ru/oauth/authorize/?client_id=a&state=ST8',
      });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await fetch(
      `http://127.0.0.1:${port}/oauth/bitrix24/callback?code=CODE1&state=STATE2&domain=x.bitrix24.ru&access_token=AT3&Client_Secret=CS4`,
      { redirect: 'manual' },
    );
    await new Promise<void>((r) => server.close(() => r()));
    const out = lines.join('');
    for (const secret of ['CODE1', 'STATE2', 'AT3', 'CS4', 'ST8'])
      expect(out).not.toContain(secret);
    expect(out).toContain(
      '/oauth/bitrix24/callback?code=[redacted]&state=[redacted]&domain=x.bitrix24.ru',
    );
    expect(out).toContain('client_id=a&state=[redacted]');
  });

  it('redactUrl keeps paths, harmless parameters and odd encodings', () => {
    expect(redactUrl('/api/deliveries?status=dead&limit=5')).toBe(
      '/api/deliveries?status=dead&limit=5',
    );
    expect(redactUrl('/x?%73tate=1&code&refresh%5Ftoken=2&bad=%E0%A4')).toBe(
      '/x?%73tate=[redacted]&code=[redacted]&refresh%5Ftoken=[redacted]&bad=%E0%A4',
    );
    expect(redactUrl('/health/live')).toBe('/health/live');
  });
});
