import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConnectionsService } from '../connections/connections.service';
import type { Connection } from '../connections/connection.entity';
import type { CrmLinkSource, InboundHint } from '../connectors/shared/link-source';
import { JOBS, jobIdSql, QUEUES } from '../queue/queues';
import { CrmLinkSources } from './crm-link-sources';
import { CrmLinkTokens } from './crm-link-tokens';

export type CrmIntakeResult = { status: 'accepted' | 'duplicate' | 'ignored'; eventId?: string };

/**
 * Stores the event (unique per dedup key) and its outbox row in one statement. Bitrix24 events
 * carry no id, so two real changes within a second share a key: a repeat is a fresh look at the
 * entity (idempotent: the worker reads it again), never a second row.
 */
const INTAKE_SQL = `
WITH ins AS (
  INSERT INTO crm_events (provider, connection_id, dedup_key, event_type, entity_id, raw_body)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (provider, dedup_key) DO NOTHING
  RETURNING id, 0 AS seq
), re AS (
  UPDATE crm_events SET status = 'received', rechecks = rechecks + 1
  WHERE provider = $1 AND dedup_key = $3 AND NOT EXISTS (SELECT 1 FROM ins)
  RETURNING id, rechecks AS seq
), ob AS (
  INSERT INTO outbox (queue, job_name, job_id, payload)
  SELECT $7, $8, ${jobIdSql.crmEvent('id::text', 'seq::text')}, jsonb_build_object('crmEventId', id)
  FROM (SELECT id, seq FROM ins UNION ALL SELECT id, seq FROM re) AS jobs
)
SELECT (SELECT id FROM ins) AS inserted_id`;

type Row = Pick<Connection, 'id' | 'type' | 'displayName' | 'account' | 'settings' | 'status'>;

/**
 * The inbound CRM endpoint's work: the event names an account we hold (and, for Bitrix24,
 * carries its application_token); anything else changes nothing. The event itself is only a
 * hint: the worker reads the deal or lead before acting.
 */
@Injectable()
export class CrmEventIntake {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly sources: CrmLinkSources,
    private readonly connections: ConnectionsService,
    private readonly tokens: CrmLinkTokens,
  ) {}

  async ingest(type: string, body: unknown, raw: string): Promise<CrmIntakeResult> {
    const source = this.sources.get(type);
    let hint: InboundHint;
    try {
      hint = source.parseInbound(body);
    } catch (err) {
      throw new BadRequestException((err as Error).message);
    }
    const connection = await this.connectionOf(source, hint);
    const ctx = this.connections.context(connection);
    if (hint.applicationToken !== undefined) {
      const expected = await this.tokens.applicationToken(ctx, hint, body);
      if (!expected || !sameSecret(expected, hint.applicationToken)) {
        throw new UnauthorizedException(
          'auth[application_token]: does not match the connected portal',
        );
      }
    }
    if (connection.status === 'disabled' || !source.trigger(ctx)) return { status: 'ignored' };
    let first: string | undefined;
    for (const item of hint.items) {
      const [row] = await this.ds.query<{ inserted_id: string | null }[]>(INTAKE_SQL, [
        type,
        connection.id,
        item.dedupKey.slice(0, 500),
        hint.eventType,
        item.entityId,
        raw,
        QUEUES.crmLinks,
        JOBS.crmEvent,
      ]);
      first ??= row?.inserted_id ?? undefined;
    }
    return first ? { status: 'accepted', eventId: first } : { status: 'duplicate' };
  }

  private async connectionOf(source: CrmLinkSource, hint: InboundHint): Promise<Row> {
    const rows = await this.ds.query<Array<Row & { display_name: string }>>(
      `SELECT id, type, display_name, account, settings, status FROM connections
       WHERE type = $1 AND deleted_at IS NULL ORDER BY created_at`,
      [source.type],
    );
    const found = rows.find((r) =>
      source.accountIds(r.account ?? {}).some((id) => hint.accountIds.includes(id)),
    );
    if (!found) throw new ForbiddenException('account: not an account connected to this hub');
    return { ...found, displayName: found.display_name };
  }
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
