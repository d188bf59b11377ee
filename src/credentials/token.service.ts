import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { classifyHttpError, ConnectorError } from '../common/errors';
import { markNeedsReconnect } from './connection-status';
import { CredentialVault } from './credential-vault';
import type { OAuthCredentials, OAuthProvider } from './oauth-provider';

export const OAUTH_PROVIDERS = Symbol('OAUTH_PROVIDERS');

const AHEAD_MS = 5 * 60_000;

// Refresh tokens rotate and are single-use: a new pair is committed, under a per-connection lock, before use.
@Injectable()
export class TokenService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly vault: CredentialVault,
    @Inject(OAUTH_PROVIDERS) private readonly providers: OAuthProvider[],
    private readonly audit: AuditService,
    @InjectMetric('vposhub_token_refreshes_total') private readonly refreshes: Counter<string>,
  ) {}

  // `rejected`: the token the CRM just refused; replaced unless another process already did.
  async accessToken(connectionId: string, rejected?: string): Promise<string> {
    const stored = await this.read(connectionId);
    if (!this.needsRefresh(stored.type, stored.credentials, rejected)) {
      return stored.credentials.accessToken;
    }
    // Everything reads through `m`: asking the pool for another connection could wait behind the waiters.
    const outcome = await this.ds.transaction(
      async (m): Promise<{ token: string } | { refused: ConnectorError }> => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
          `connection-token:${connectionId}`,
        ]);
        const current = await this.read(connectionId, m);
        if (!this.needsRefresh(current.type, current.credentials, rejected)) {
          return { token: current.credentials.accessToken };
        }
        const provider = this.providerOf(current.type)!;
        let next: OAuthCredentials;
        try {
          next = await provider.refresh(current.credentials, current.account);
        } catch (err) {
          const e = classifyHttpError(current.type, err);
          this.refreshes.inc({ provider: provider.name, outcome: e.kind });
          return { refused: ConnectorError.from(current.type, e) };
        }
        await m.query(
          `UPDATE connections SET credentials = $2, credentials_version = credentials_version + 1,
           updated_at = now() WHERE id = $1`,
          [connectionId, this.vault.seal(connectionId, next)],
        );
        this.refreshes.inc({ provider: provider.name, outcome: 'refreshed' });
        return { token: next.accessToken };
      },
    );
    if ('token' in outcome) return outcome.token;
    // After the lock's transaction, on a connection of its own.
    if (outcome.refused.kind === 'auth') {
      await markNeedsReconnect(
        this.ds.manager,
        this.audit,
        connectionId,
        `token refresh refused: ${outcome.refused.code}`,
      );
    }
    throw outcome.refused;
  }

  private providerOf(type: string): OAuthProvider | undefined {
    return this.providers.find((p) => p.connectionType === type);
  }

  private needsRefresh(type: string, c: OAuthCredentials, rejected?: string): boolean {
    if (rejected !== undefined) return c.accessToken === rejected;
    const provider = this.providerOf(type);
    return provider?.refreshPolicy === 'ahead' && c.expiresAt - Date.now() < AHEAD_MS;
  }

  private async read(id: string, m: EntityManager = this.ds.manager) {
    const [row] = await m.query<
      { type: string; account: Record<string, unknown>; credentials: Buffer | null }[]
    >(`SELECT type, account, credentials FROM connections WHERE id = $1`, [id]);
    if (!row?.credentials) {
      throw new ConnectorError(
        'hub',
        'auth',
        'NO_CREDENTIALS',
        `connection ${id} has no credentials`,
      );
    }
    return {
      type: row.type,
      account: row.account,
      credentials: this.vault.open<OAuthCredentials>(id, row.credentials),
    };
  }
}
