import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable, Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JOBS, jobIds, QUEUES } from '../queue/queues';
import type { ExceptionType } from './exception-types';
import { ReconciliationDestinations } from './reconciliation-destinations';
import { writeExceptionsCsv } from './reconciliation-export';
import { computeSummary, ExceptionPage, listRuns, readRun, RunView } from './reconciliation-views';
import { ingestCsv, ingestJson } from './report-ingest';
import type { ColumnMap } from './report-layout';
import { matchReport, Period } from './report-matcher';
import { ReportStaging } from './report-staging';

export type ReportSource =
  | { kind: 'csv'; stream: Readable }
  | { kind: 'json'; rows: unknown[] }
  /** Rows staged already (the scheduled lookup fallback writes them itself). */
  | { kind: 'staged'; stage: (staging: ReportStaging) => Promise<void> };

export interface RunOptions {
  period: Period | null;
  columns: ColumnMap;
  async: boolean;
  actor: string;
  source?: 'upload' | 'scheduled_report' | 'scheduled_lookup';
}

export const FIRST_PAGE: ExceptionPage = { page: 1, pageSize: 50 };

/**
 * A run: the report is streamed into staging inside the request, then matched in SQL (inline,
 * or by a job when asked to run async), the destinations are read back, and the staged rows go.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly destinations: ReconciliationDestinations,
  ) {}

  async create(report: ReportSource, options: RunOptions): Promise<RunView> {
    const [run] = await this.ds.query<Array<{ id: string }>>(
      `INSERT INTO reconciliation_runs (source, period_from, period_to, columns, actor)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [
        options.source ?? 'upload',
        options.period?.from ?? null,
        options.period?.to ?? null,
        JSON.stringify(options.columns),
        options.actor,
      ],
    );
    const staging = new ReportStaging(this.ds, run.id);
    try {
      const statusMap = this.config.vpos.statusMap;
      if (report.kind === 'csv')
        await ingestCsv(report.stream, staging, options.columns, statusMap);
      else if (report.kind === 'json') {
        await ingestJson(report.rows, staging, options.columns, statusMap);
      } else {
        await report.stage(staging);
        await staging.flush();
      }
    } catch (err) {
      // A refused report leaves nothing behind.
      await this.ds.query(`DELETE FROM reconciliation_runs WHERE id = $1`, [run.id]);
      throw err;
    }
    await this.ds.query(`UPDATE reconciliation_runs SET row_count = $2 WHERE id = $1`, [
      run.id,
      staging.count,
    ]);
    if (options.async) {
      await this.ds.transaction(async (m) => {
        await m.query(`UPDATE reconciliation_runs SET status = 'queued' WHERE id = $1`, [run.id]);
        await m.query(
          `INSERT INTO outbox (queue, job_name, job_id, payload) VALUES ($1, $2, $3, $4)`,
          [
            QUEUES.reconciliation,
            JOBS.reconcile,
            jobIds.reconcile(run.id),
            JSON.stringify({ runId: run.id }),
          ],
        );
      });
    } else {
      await this.execute(run.id);
    }
    return (await this.view(run.id, FIRST_PAGE))!;
  }

  /** Matches a staged run once; a second call (a duplicate job) finds it taken and returns. */
  async execute(runId: string): Promise<void> {
    const [[run]] = await this.ds.query<
      [Array<{ period_from: Date | null; period_to: Date | null; row_count: number }>, number]
    >(
      `UPDATE reconciliation_runs SET status = 'running', started_at = now()
       WHERE id = $1 AND status IN ('ingesting','queued')
       RETURNING period_from, period_to, row_count`,
      [runId],
    );
    if (!run) return;
    const period =
      run.period_from && run.period_to ? { from: run.period_from, to: run.period_to } : null;
    try {
      const { matched } = await this.ds.transaction((m) => matchReport(m, runId, period));
      const destinations = await this.destinations.check(runId, period);
      const summary = await computeSummary(this.ds, runId, run.row_count, matched);
      await this.ds.transaction(async (m) => {
        await m.query(`DELETE FROM reconciliation_rows WHERE run_id = $1`, [runId]);
        await m.query(
          `UPDATE reconciliation_runs SET status = 'completed', finished_at = now(),
             matched_count = $2, summary = $3, destinations = $4 WHERE id = $1`,
          [runId, matched, JSON.stringify(summary), JSON.stringify(destinations)],
        );
      });
    } catch (err) {
      this.logger.error(`reconciliation run ${runId} failed: ${(err as Error).message}`);
      await this.ds.query(
        `UPDATE reconciliation_runs SET status = 'failed', finished_at = now(), error = $2
         WHERE id = $1`,
        [runId, (err as Error).message.slice(0, 500)],
      );
      throw err;
    }
  }

  /** `open` is called once the run is known to exist (so a 404 is still JSON). */
  async exportCsv(runId: string, type: ExceptionType | undefined, open: () => Writable) {
    await this.get(runId, { page: 1, pageSize: 1 });
    await writeExceptionsCsv(this.ds, runId, type, open());
  }

  list(page: { page: number; pageSize: number }) {
    return listRuns(this.ds, page);
  }

  view(runId: string, page: ExceptionPage): Promise<RunView | null> {
    return readRun(this.ds, runId, page);
  }

  async get(runId: string, page: ExceptionPage): Promise<RunView> {
    const run = await this.view(runId, page);
    if (!run) throw new NotFoundException(`id: no reconciliation run "${runId}"`);
    return run;
  }
}
