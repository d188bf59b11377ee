import {
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CONNECTION_TYPES, Destination, DESTINATIONS, isDestination } from '../connectors';
import type { ConnectionContext } from '../connectors/crm-connector';
import type { AccountCheck } from '../connectors/shared/account-check';
import { markNeedsReconnect } from '../credentials/connection-status';
import { CredentialVault } from '../credentials/credential-vault';
import { ACCOUNT_CHECKS } from './account-check';
import { ConnectionContexts } from './connection-contexts';
import { ConnectionEvents } from './connection-events';
import { Connection } from './connection.entity';
import {
  ConnectionView,
  CreateConnectionDto,
  NewConnection,
  UpdateConnectionDto,
} from './connections.dto';

@Injectable()
export class ConnectionsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly vault: CredentialVault,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly contexts: ConnectionContexts,
    private readonly events: ConnectionEvents,
  ) {}

  async create(input: NewConnection, id = randomUUID(), actor = 'admin'): Promise<Connection> {
    if (!isDestination(input.type)) {
      throw new UnprocessableEntityException(`type: unknown destination "${input.type}"`);
    }
    await this.insert(input, id, actor);
    return this.get(id);
  }

  private async insert(input: NewConnection, id: string, actor: string): Promise<void> {
    try {
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
    } catch (err) {
      if ((err as { constraint?: string }).constraint === 'uq_connections_account') {
        throw new ConflictException(
          `account: ${String(input.account?.accountKey)} is already connected; update or remove that connection`,
        );
      }
      throw err;
    }
    await this.events.changed(this.ds.manager, id, 'settings');
    const data = { connectionId: id, type: input.type, mode: input.mode };
    await this.audit.record({
      kind: 'connection.created',
      actor,
      data: input.account ? { ...data, account: input.account } : data,
    });
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
       WHERE deleted_at IS NULL AND status IN ('active','needs_reconnect') AND type = ANY($1)
       ORDER BY created_at`,
      [DESTINATIONS],
    );
  }

  context(
    connection: Pick<Connection, 'id' | 'type' | 'displayName' | 'account' | 'settings'>,
  ): ConnectionContext {
    return this.contexts.context(connection);
  }

  async list(): Promise<ConnectionView[]> {
    const rows = await this.ds
      .getRepository(Connection)
      .find({ where: { deletedAt: IsNull() }, order: { createdAt: 'ASC' } });
    const held = await this.ds.query<{ id: string }[]>(
      `SELECT id FROM connections WHERE deleted_at IS NULL AND credentials IS NOT NULL`,
    );
    const withCredentials = new Set(held.map((r) => r.id));
    return Promise.all(rows.map((c) => this.view(c, withCredentials.has(c.id))));
  }

  async view(connection: Connection, hasCredentials?: boolean): Promise<ConnectionView> {
    const has =
      hasCredentials ??
      (
        await this.ds.query<{ has: boolean }[]>(
          `SELECT credentials IS NOT NULL AS has FROM connections WHERE id = $1`,
          [connection.id],
        )
      )[0]?.has ??
      false;
    return {
      id: connection.id,
      type: connection.type,
      displayName: connection.displayName,
      mode: connection.mode,
      account: connection.account,
      status: connection.status,
      statusReason: connection.statusReason,
      settings: connection.settings,
      hasCredentials: has,
      createdAt: connection.createdAt,
      updatedAt: connection.updatedAt,
    };
  }

  async createChecked(dto: CreateConnectionDto, actor: string): Promise<ConnectionView> {
    const crmCheck = ACCOUNT_CHECKS[dto.type]?.[dto.mode ?? ''];
    if (crmCheck) return this.createCrmAccount(dto, crmCheck, actor);
    const type = this.destination(dto.type);
    const draft = {
      id: randomUUID(),
      type,
      displayName: dto.displayName,
      account: {},
      settings: dto.settings ?? {},
    };
    await this.contexts.check(this.contexts.context(draft, dto.credentials ?? null));
    const created = await this.create(
      {
        type,
        displayName: dto.displayName,
        mode: dto.mode ?? type,
        settings: dto.settings ?? {},
        credentials: dto.credentials,
      },
      draft.id,
      actor,
    );
    return this.view(created);
  }

  private async createCrmAccount(
    dto: CreateConnectionDto,
    check: AccountCheck,
    actor: string,
  ): Promise<ConnectionView> {
    let result: Awaited<ReturnType<AccountCheck>>;
    try {
      result = await check(dto.settings ?? {}, dto.credentials ?? {}, {
        insecureHosts: this.config.connectors.insecureHosts,
        config: this.config,
        pace: (accountKey) => this.contexts.paceNew(dto.type, dto.settings ?? {}, accountKey),
      });
    } catch (err) {
      throw new UnprocessableEntityException((err as Error).message);
    }
    const row = {
      type: dto.type,
      displayName: dto.displayName || result.displayName,
      mode: dto.mode ?? '',
      account: result.account,
      settings: dto.settings ?? {},
      credentials: result.credentials,
    };
    const id = randomUUID();
    // The connector's own settings (mapping) are checked against the account too.
    if (isDestination(dto.type))
      await this.contexts.check(this.contexts.context({ ...row, id }, result.credentials));
    await this.insert(row, id, actor);
    return this.view(await this.get(id));
  }

  async update(id: string, dto: UpdateConnectionDto, actor: string): Promise<ConnectionView> {
    const current = await this.get(id);
    const settings = dto.settings ?? current.settings;
    if (dto.settings !== undefined || dto.credentials !== undefined || dto.status === 'active') {
      await this.contexts.check(this.contexts.context({ ...current, settings }, dto.credentials));
    }
    await this.ds.query(
      `UPDATE connections SET display_name = coalesce($2, display_name), settings = $3::jsonb,
         credentials = coalesce($4, credentials),
         credentials_version = credentials_version + CASE WHEN $4::bytea IS NULL THEN 0 ELSE 1 END,
         updated_at = now() WHERE id = $1`,
      [
        id,
        dto.displayName ?? null,
        JSON.stringify(settings),
        dto.credentials === undefined ? null : this.vault.seal(id, dto.credentials),
      ],
    );
    await this.audit.record({
      kind: 'connection.updated',
      actor,
      data: {
        connectionId: id,
        fields: Object.keys(dto).filter((k) => k !== 'credentials'),
        credentialsChanged: dto.credentials !== undefined,
      },
    });
    if (dto.settings !== undefined) await this.events.changed(this.ds.manager, id, 'settings');
    if (dto.status === 'disabled') {
      await this.ds.query(
        `UPDATE connections SET status = 'disabled', status_reason = 'disabled by an admin',
           updated_at = now() WHERE id = $1`,
        [id],
      );
    } else if (
      dto.status === 'active' ||
      (dto.credentials !== undefined && current.status === 'needs_reconnect')
    ) {
      await this.reactivate(id, undefined, actor);
    }
    return this.view(await this.get(id));
  }

  /** Soft delete: the row stays for the audit trail; its open deliveries end as skipped. */
  async remove(id: string, actor: string): Promise<void> {
    await this.get(id);
    await this.events.changed(this.ds.manager, id, 'removing');
    await this.ds.query(
      `UPDATE connections SET deleted_at = now(), status = 'disabled',
         status_reason = 'removed', credentials = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
    await this.audit.record({ kind: 'connection.removed', actor, data: { connectionId: id } });
  }

  private destination(type: string): Destination {
    if (isDestination(type)) return type;
    const planned = CONNECTION_TYPES.includes(type);
    throw new UnprocessableEntityException(
      planned
        ? `type: ${type} connections arrive with the ${type} connector; available now: ${DESTINATIONS.join(', ')}`
        : `type: unknown destination "${type}"; available: ${DESTINATIONS.join(', ')}`,
    );
  }

  markNeedsReconnect(id: string, reason: string, m?: EntityManager): Promise<boolean> {
    return markNeedsReconnect(m ?? this.ds.manager, this.audit, id, reason);
  }

  async reactivate(id: string, credentials?: unknown, actor = 'admin'): Promise<Connection> {
    await this.get(id);
    const resumed = await this.ds.transaction(async (m) => {
      await m.query(
        `UPDATE connections SET status = 'active', status_reason = NULL, updated_at = now(),
           credentials = coalesce($2, credentials),
           credentials_version = credentials_version + CASE WHEN $2::bytea IS NULL THEN 0 ELSE 1 END
         WHERE id = $1`,
        [id, credentials === undefined ? null : this.vault.seal(id, credentials)],
      );
      return this.events.reconnected(m, id);
    });
    await this.audit.record({
      kind: 'connection.reactivated',
      actor,
      data: { connectionId: id, resumedDeliveries: resumed },
    });
    return this.get(id);
  }
}
