import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ConnectionContext, isDestination } from '../connectors/crm-connector';
import { unparkDeliveries } from '../delivery/delivery-queue';
import { Connection } from './connection.entity';
import { CredentialVault } from './credential-vault';

export interface NewConnection {
  type: string;
  displayName: string;
  mode: string;
  account?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  credentials?: unknown;
}

/** The connection store: identities, settings, status and the encrypted credentials. */
@Injectable()
export class ConnectionsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly vault: CredentialVault,
    private readonly audit: AuditService,
  ) {}

  async create(input: NewConnection): Promise<Connection> {
    if (!isDestination(input.type)) {
      throw new BadRequestException(`type: unknown destination "${input.type}"`);
    }
    const id = randomUUID();
    await this.ds.query(
      `INSERT INTO connections (id, type, display_name, mode, account, settings, credentials)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)`,
      [
        id,
        input.type,
        input.displayName,
        input.mode,
        JSON.stringify(input.account ?? {}),
        JSON.stringify(input.settings ?? {}),
        input.credentials === undefined ? null : this.vault.seal(id, input.credentials),
      ],
    );
    await this.audit.record({
      kind: 'connection.created',
      actor: 'admin',
      data: { connectionId: id, type: input.type, mode: input.mode },
    });
    return this.get(id);
  }

  async get(id: string): Promise<Connection> {
    const found = await this.ds.getRepository(Connection).findOneBy({ id });
    if (!found || found.deletedAt) throw new NotFoundException(`id: no connection "${id}"`);
    return found;
  }

  /** Connections that receive new events (needs_reconnect ones too: their deliveries wait). */
  listReceiving(m: EntityManager): Promise<Pick<Connection, 'id' | 'status'>[]> {
    return m.query(
      `SELECT id, status FROM connections
       WHERE deleted_at IS NULL AND status IN ('active','needs_reconnect') ORDER BY created_at`,
    );
  }

  context(connection: Connection): ConnectionContext {
    if (!isDestination(connection.type)) {
      throw new Error(`connection ${connection.id} has unknown type ${connection.type}`);
    }
    return {
      id: connection.id,
      type: connection.type,
      displayName: connection.displayName,
      account: connection.account,
      settings: connection.settings,
      credentials: async <T>() => {
        const [row] = await this.ds.query<{ credentials: Buffer | null }[]>(
          `SELECT credentials FROM connections WHERE id = $1`,
          [connection.id],
        );
        return row?.credentials ? this.vault.open<T>(connection.id, row.credentials) : null;
      },
    };
  }

  /** Credentials were refused: stop using them until an admin reconnects (deliveries wait). */
  async markNeedsReconnect(id: string, reason: string, m?: EntityManager): Promise<boolean> {
    const changed = await (m ?? this.ds.manager).query<{ id: string }[]>(
      `WITH changed AS (
         UPDATE connections SET status = 'needs_reconnect', status_reason = $2, updated_at = now()
         WHERE id = $1 AND status = 'active' RETURNING id
       )
       SELECT id FROM changed`,
      [id, reason.slice(0, 500)],
    );
    if (changed.length === 0) return false;
    await this.audit.record(
      { kind: 'connection.needs_reconnect', actor: 'delivery', data: { connectionId: id, reason } },
      m,
    );
    return true;
  }

  /** Back to active (new credentials when given); parked deliveries resume. */
  async reactivate(id: string, credentials?: unknown): Promise<Connection> {
    await this.get(id);
    const resumed = await this.ds.transaction(async (m) => {
      await m.query(
        `UPDATE connections SET status = 'active', status_reason = NULL, updated_at = now(),
           credentials = coalesce($2, credentials),
           credentials_version = credentials_version + CASE WHEN $2::bytea IS NULL THEN 0 ELSE 1 END
         WHERE id = $1`,
        [id, credentials === undefined ? null : this.vault.seal(id, credentials)],
      );
      return unparkDeliveries(m, id);
    });
    await this.audit.record({
      kind: 'connection.reactivated',
      actor: 'admin',
      data: { connectionId: id, resumedDeliveries: resumed },
    });
    return this.get(id);
  }
}
