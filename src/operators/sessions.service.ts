import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { SessionAuthenticator, SignedInOperator } from '../common/session-auth';
import { Operator } from './operator.entity';

export const SESSION_HOURS = 12;

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

@Injectable()
export class SessionsService implements SessionAuthenticator {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async open(operator: Operator): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
    await this.ds.query(
      `INSERT INTO operator_sessions (operator_id, token_hash, expires_at) VALUES ($1, $2, $3)`,
      [operator.id, sha256(token), expiresAt],
    );
    return { token, expiresAt };
  }

  async authenticate(token: string): Promise<SignedInOperator | null> {
    const rows = await this.ds.query<SignedInOperator[]>(
      `SELECT s.id AS "sessionId", o.id, o.email, o.name FROM operator_sessions s
       JOIN operators o ON o.id = s.operator_id
       WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
         AND o.disabled_at IS NULL`,
      [sha256(token)],
    );
    return rows[0] ?? null;
  }

  async expiresAt(sessionId: string): Promise<Date> {
    const rows = await this.ds.query<Array<{ expiresAt: Date }>>(
      `SELECT expires_at AS "expiresAt" FROM operator_sessions WHERE id = $1`,
      [sessionId],
    );
    return rows[0].expiresAt;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.ds.query(
      `UPDATE operator_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId],
    );
  }

  /** Derived from the session token, so it needs no storage and dies with the session. */
  csrfToken(token: string): string {
    return createHmac('sha256', token).update('csrf').digest('base64url');
  }

  csrfMatches(token: string, presented: string): boolean {
    const expected = createHash('sha256').update(this.csrfToken(token)).digest();
    return timingSafeEqual(expected, createHash('sha256').update(presented).digest());
  }
}
