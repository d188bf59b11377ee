import {
  ConflictException,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { classifyHttpError } from '../common/errors';
import { DeliveryReplayService } from '../delivery/delivery-replay.service';
import { JournalService } from '../payments/journal.service';
import { VposClient, VposSessionView } from '../providers/vpos/vpos.client';
import { ExceptionType, REPAIRS, RepairAction } from './exception-types';
import type { RepairDto } from './reconciliation.dto';
import { EXCEPTION_COLUMNS, ExceptionView, toExceptionView } from './reconciliation-views';

type Row = Omit<ExceptionView, 'repairs'> & { runId: string };

const BULK_LIMIT = 5000;

/**
 * Repairs through the hub's own paths: a lookup feeds VPOS's answer to the journal exactly as
 * verification does; a redelivery is a delivery replay; a resolve only closes the exception.
 * Each is audited on the order with its actor.
 */
@Injectable()
export class ReconciliationRepairService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly vpos: VposClient,
    private readonly journal: JournalService,
    private readonly replays: DeliveryReplayService,
    private readonly audit: AuditService,
  ) {}

  async repairOne(id: string, dto: RepairDto, actor: string): Promise<ExceptionView> {
    const [row] = await this.ds.query<Row[]>(
      `SELECT ${EXCEPTION_COLUMNS}, run_id AS "runId" FROM reconciliation_exceptions WHERE id = $1`,
      [id],
    );
    if (!row) throw new NotFoundException(`id: no reconciliation exception "${id}"`);
    if (row.status !== 'open') {
      throw new ConflictException(`status: the exception is already ${row.status}`);
    }
    if (!REPAIRS[row.type].includes(dto.action)) {
      throw new ConflictException(
        `action: ${dto.action} does not apply to ${row.type} (${REPAIRS[row.type].join(', ')})`,
      );
    }
    return this.apply(row, dto, actor);
  }

  async repairRun(
    runId: string,
    dto: RepairDto & { type?: ExceptionType },
    actor: string,
  ): Promise<{
    runId: string;
    action: RepairAction;
    repaired: number;
    failed: number;
    errors: string[];
  }> {
    const [run] = await this.ds.query<unknown[]>(
      `SELECT 1 FROM reconciliation_runs WHERE id = $1`,
      [runId],
    );
    if (!run) throw new NotFoundException(`id: no reconciliation run "${runId}"`);
    const types = (Object.keys(REPAIRS) as ExceptionType[]).filter(
      (t) => REPAIRS[t].includes(dto.action) && (!dto.type || dto.type === t),
    );
    const rows = await this.ds.query<Row[]>(
      `SELECT ${EXCEPTION_COLUMNS}, run_id AS "runId" FROM reconciliation_exceptions
       WHERE run_id = $1 AND status = 'open' AND type = ANY($2::text[])
       ORDER BY rank, line NULLS LAST, id LIMIT ${BULK_LIMIT}`,
      [runId, types],
    );
    let repaired = 0;
    const errors: string[] = [];
    for (const row of rows) {
      try {
        await this.apply(row, dto, actor);
        repaired += 1;
      } catch (err) {
        if (errors.length < 20) errors.push(`${row.id}: ${(err as Error).message}`);
      }
    }
    return { runId, action: dto.action, repaired, failed: rows.length - repaired, errors };
  }

  private async apply(row: Row, dto: RepairDto, actor: string): Promise<ExceptionView> {
    const comment = dto.comment?.trim() ?? null;
    let outcome: Record<string, unknown>;
    if (dto.action === 'lookup') outcome = await this.lookup(row, actor, comment);
    else if (dto.action === 'redeliver') outcome = await this.redeliver(row);
    else outcome = {};
    const status = dto.action === 'resolve' ? 'resolved' : 'repaired';
    const resolution = { action: dto.action, comment, ...outcome };
    const [updated] = await this.ds.transaction(async (m) => {
      const [rows] = await m.query<[Array<Omit<ExceptionView, 'repairs'>>, number]>(
        `UPDATE reconciliation_exceptions SET status = $2, resolution = $3, resolved_by = $4,
           resolved_at = now() WHERE id = $1 AND status = 'open' RETURNING ${EXCEPTION_COLUMNS}`,
        [row.id, status, JSON.stringify(resolution), actor],
      );
      if (!rows.length) throw new ConflictException('status: the exception was repaired meanwhile');
      await this.audit.record(
        {
          kind: 'reconciliation.repair',
          actor,
          orderId: row.orderId,
          data: {
            runId: row.runId,
            exceptionId: row.id,
            type: row.type,
            connectionId: row.connectionId,
            ...resolution,
          },
        },
        m,
      );
      return rows;
    });
    return toExceptionView(updated);
  }

  private async lookup(row: Row, actor: string, comment: string | null) {
    const journal: { attemptId?: string } | null = row.detail.journal ?? null;
    let sessionId = row.providerReference;
    if (!sessionId && journal?.attemptId) {
      const [a] = await this.ds.query<Array<{ provider_payment_id: string | null }>>(
        `SELECT provider_payment_id FROM payment_attempts WHERE id = $1`,
        [journal.attemptId],
      );
      sessionId = a?.provider_payment_id ?? null;
    }
    if (!sessionId) {
      throw new ConflictException('providerReference: no payment reference to look up at VPOS');
    }
    const lookup = await this.session(sessionId);
    const out = await this.journal.record({
      rawEventId: null,
      providerEventId: null,
      receivedAt: new Date(),
      claim: { sessionId, orderId: row.orderId ?? undefined },
      lookup,
      verifiedBy: 'status_lookup',
      operator: { actor, reason: comment ?? `reconciliation ${row.type}` },
    });
    return {
      lookupStatus: lookup?.providerStatus ?? null,
      result: out.result,
      ...(out.result === 'recorded' ? { eventId: out.event.id, status: out.event.type } : {}),
    };
  }

  private async redeliver(row: Row) {
    if (!row.orderId || !row.connectionId) {
      throw new ConflictException('connectionId: the exception names no destination');
    }
    const out = await this.replays.replayOrder(row.orderId, row.connectionId, false);
    return { deliveries: out.items.map((i) => ({ deliveryId: i.deliveryId, action: i.action })) };
  }

  private async session(id: string): Promise<VposSessionView | null> {
    try {
      return await this.vpos.getSession(id);
    } catch (err) {
      const e = classifyHttpError('vpos', err);
      if (e.code === 'not_found') return null;
      throw new ServiceUnavailableException(`vpos: status lookup failed (${e.message})`);
    }
  }
}
