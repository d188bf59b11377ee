import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { classifyHttpError } from '../common/errors';
import { createHttpClient } from '../common/http-client';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { VposClient } from '../providers/vpos/vpos.client';
import { ReconciliationService } from './reconciliation.service';
import type { RunView } from './reconciliation-views';
import { asReportStatus } from './report-layout';
import type { Period } from './report-matcher';
import type { ReportStaging } from './report-staging';

const PAGE = 500;

function localParts(at: Date, timeZone: string): Record<string, number> {
  return Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  );
}

function offsetAt(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** Midnight that starts `at`'s day in `timeZone` (the offset of midnight itself, across DST). */
export function dayStart(at: Date, timeZone: string): Date {
  const p = localParts(at, timeZone);
  const midnight = Date.UTC(p.year, p.month - 1, p.day);
  const guess = midnight - offsetAt(at, timeZone);
  return new Date(midnight - offsetAt(new Date(guess), timeZone));
}

export function previousDay(at: Date, timeZone: string): Period {
  const to = dayStart(at, timeZone);
  return { from: dayStart(new Date(to.getTime() - 12 * 3600_000), timeZone), to };
}

/**
 * The daily run: the provider's report from RECONCILIATION_REPORT_URL when configured, else a
 * report made of VPOS status lookups of every attempt of the period.
 */
@Injectable()
export class ReconciliationSchedule {
  private readonly logger = new Logger(ReconciliationSchedule.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: ReconciliationService,
    private readonly vpos: VposClient,
  ) {}

  async runDaily(at = new Date()): Promise<RunView> {
    const cfg = this.config.reconciliation;
    const period = previousDay(at, cfg.timeZone);
    const base = { period, columns: cfg.columns, async: false, actor: 'scheduler' };
    if (cfg.reportUrl) {
      const stream = await this.fetchReport(cfg.reportUrl, period);
      return this.runs.create({ kind: 'csv', stream }, { ...base, source: 'scheduled_report' });
    }
    return this.runs.create(
      { kind: 'staged', stage: (staging) => this.lookups(period, staging) },
      { ...base, source: 'scheduled_lookup' },
    );
  }

  private async fetchReport(url: string, period: Period): Promise<Readable> {
    const auth = this.config.reconciliation.reportAuth;
    const http = createHttpClient({
      baseURL: url,
      timeoutMs: 60_000,
      headers: { accept: 'text/csv', ...(auth ? { [auth.name]: auth.value } : {}) },
    });
    try {
      const res = await http.get<Readable>('', {
        responseType: 'stream',
        params: { from: period.from.toISOString(), to: period.to.toISOString() },
      });
      return res.data;
    } catch (err) {
      // The classified error carries the status and host, never the request headers.
      const e = classifyHttpError('reconciliation-report', err);
      throw new Error(`report download failed: ${e.message}`);
    }
  }

  private async lookups(period: Period, staging: ReportStaging): Promise<void> {
    let after = '00000000-0000-0000-0000-000000000000';
    let line = 0;
    for (;;) {
      const attempts = await this.ds.query<
        Array<{ id: string; order_id: string; provider_payment_id: string }>
      >(
        `SELECT id, order_id, provider_payment_id FROM payment_attempts
         WHERE provider_payment_id IS NOT NULL AND id > $3
           AND ((created_at >= $1 AND created_at < $2)
             OR (status_changed_at >= $1 AND status_changed_at < $2))
         ORDER BY id LIMIT ${PAGE}`,
        [period.from, period.to, after],
      );
      for (const a of attempts) {
        line += 1;
        const row = await this.lookupRow(a.provider_payment_id, a.order_id, line);
        if (row) await staging.add({ ok: true, row });
      }
      if (attempts.length < PAGE) return;
      after = attempts[attempts.length - 1].id;
    }
  }

  private async lookupRow(sessionId: string, orderId: string, line: number) {
    try {
      const s = await this.vpos.getSession(sessionId);
      const status = asReportStatus(s.status.status);
      if (!status || s.amountMinor === undefined || !s.currency) return null;
      return {
        line,
        providerReference: sessionId,
        orderId: s.orderId ?? orderId,
        amountMinor: s.amountMinor,
        currency: s.currency,
        status,
        paidAt: null,
        refundAmountMinor: s.refundedAmountMinor ?? null,
      };
    } catch (err) {
      const e = classifyHttpError('vpos', err);
      if (e.code === 'not_found') return null;
      this.logger.warn(`lookup of ${sessionId} failed: ${e.message}`);
      throw e;
    }
  }
}
