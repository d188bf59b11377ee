import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { adminOnly } from './admin-auth.guard';

const TOKEN = 'admin-token-0123456789abcdef0123';
const config = { adminToken: TOKEN } as AppConfig;

function run(authorization?: string) {
  const req = { headers: authorization === undefined ? {} : { authorization } } as Request;
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = {
    headers: {},
  };
  const res = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    setHeader(name: string, value: string) {
      sent.headers[name] = value;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  } as unknown as Response;
  const next = jest.fn() as unknown as NextFunction & jest.Mock;
  adminOnly(config)(req, res, next);
  return { sent, next };
}

describe('adminOnly (the admin check as Express middleware)', () => {
  it('passes the admin bearer token on', () => {
    for (const header of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer   ${TOKEN}  `]) {
      const { sent, next } = run(header);
      expect([header, next.mock.calls.length, sent.status]).toEqual([header, 1, undefined]);
    }
  });

  it('answers anything else with 401 in the JSON error shape', () => {
    for (const header of [
      undefined,
      '',
      TOKEN,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
      `Bearer ${TOKEN} extra`,
    ]) {
      const { sent, next } = run(header);
      expect([header, next.mock.calls.length, sent.status]).toEqual([header, 0, 401]);
      expect(sent.headers['WWW-Authenticate']).toBe('Bearer');
      expect(sent.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        message: expect.stringContaining('authorization'),
      });
    }
  });
});
