import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isDestination } from '../connectors';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { ConnectionContext, ConnectorError, RateLimitRule } from '../connectors/crm-connector';
import { RateLimiter, rateLimitKey } from '../connectors/shared/rate-limiter';
import { CredentialVault } from '../credentials/credential-vault';
import type { Connection } from './connection.entity';

@Injectable()
export class ConnectionContexts {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly vault: CredentialVault,
    private readonly registry: ConnectorRegistry,
    private readonly limiter: RateLimiter,
  ) {}

  context(
    connection: Pick<Connection, 'id' | 'type' | 'displayName' | 'account' | 'settings'>,
    credentials?: unknown,
  ): ConnectionContext {
    if (!isDestination(connection.type)) {
      throw new Error(`connection ${connection.id} has unknown type ${connection.type}`);
    }
    const ctx: ConnectionContext = {
      id: connection.id,
      type: connection.type,
      displayName: connection.displayName,
      account: connection.account,
      settings: connection.settings,
      // Checks share the account's rate limit with deliveries.
      pace: () =>
        this.limiter.acquire(rateLimitKey(connection), this.registry.get(ctx.type).rateLimit(ctx)),
      credentials: async <T>() => {
        if (credentials !== undefined) return credentials as T;
        const [row] = await this.ds.query<{ credentials: Buffer | null }[]>(
          `SELECT credentials FROM connections WHERE id = $1`,
          [connection.id],
        );
        return row?.credentials ? this.vault.open<T>(connection.id, row.credentials) : null;
      },
    };
    return ctx;
  }

  async paceNew(
    type: string,
    settings: Record<string, unknown>,
    accountKey: string,
  ): Promise<void> {
    if (!isDestination(type)) return;
    const draft = { id: 'new', type, displayName: '', account: { accountKey }, settings };
    let rule: RateLimitRule;
    try {
      rule = this.registry.get(type).rateLimit(this.context(draft));
    } catch {
      return; // invalid settings: the connector's check refuses them next
    }
    await this.limiter.acquire(rateLimitKey(draft), rule);
  }

  async check(ctx: ConnectionContext): Promise<void> {
    try {
      await this.registry.get(ctx.type).check(ctx);
    } catch (err) {
      if (err instanceof ConnectorError) throw new UnprocessableEntityException(err.message);
      throw err;
    }
  }
}
