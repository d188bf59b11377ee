import type { DataSource } from 'typeorm';
import { EXCEPTION_TYPES, ExceptionType, REPAIRS } from './exception-types';

export interface TypeSummary {
  count: number;
  totals: Record<string, number>;
}

export interface RunSummary {
  rows: number;
  matched: number;
  exceptions: number;
  byType: Record<ExceptionType, TypeSummary>;
}

export interface DestinationReport {
  connectionId: string;
  type: string;
  displayName: string;
  checked: number;
  supported: boolean;
  reason?: string;
  error?: string;
}

export interface ExceptionView {
  id: string;
  type: ExceptionType;
  line: number | null;
  orderId: string | null;
  providerReference: string | null;
  connectionId: string | null;
  connectionType: string | null;
  amountMinor: number | null;
  currency: string | null;
  detail: { journal?: { attemptId?: string } | null; [key: string]: unknown };
  status: 'open' | 'resolved' | 'repaired';
  resolution: Record<string, unknown> | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  repairs: readonly string[];
}

export interface RunView {
  id: string;
  status: string;
  source: string;
  period: { from: string | null; to: string | null };
  actor: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  summary: RunSummary;
  destinations: DestinationReport[];
  exceptions: { page: number; pageSize: number; total: number; items: ExceptionView[] };
}

export interface ExceptionPage {
  page: number;
  pageSize: number;
  type?: ExceptionType;
}

export const EXCEPTION_COLUMNS = `id, type, line, order_id AS "orderId",
  provider_reference AS "providerReference", connection_id AS "connectionId",
  connection_type AS "connectionType", amount_minor::float8 AS "amountMinor", currency, detail,
  status, resolution, resolved_by AS "resolvedBy", resolved_at AS "resolvedAt"`;

export function emptySummary(): RunSummary {
  const byType = Object.fromEntries(
    EXCEPTION_TYPES.map((t) => [t, { count: 0, totals: {} }]),
  ) as Record<ExceptionType, TypeSummary>;
  return { rows: 0, matched: 0, exceptions: 0, byType };
}

export async function computeSummary(
  ds: DataSource,
  runId: string,
  rows: number,
  matched: number,
): Promise<RunSummary> {
  const summary = { ...emptySummary(), rows, matched };
  const groups = await ds.query<
    Array<{ type: ExceptionType; currency: string | null; n: number; total: string | null }>
  >(
    `SELECT type, currency, count(*)::int AS n, sum(amount_minor)::text AS total
     FROM reconciliation_exceptions WHERE run_id = $1 GROUP BY type, currency`,
    [runId],
  );
  for (const g of groups) {
    const t = summary.byType[g.type];
    t.count += g.n;
    summary.exceptions += g.n;
    if (g.currency && g.total !== null) {
      t.totals[g.currency] = (t.totals[g.currency] ?? 0) + Number(g.total);
    }
  }
  return summary;
}

export function toExceptionView(row: Omit<ExceptionView, 'repairs'>): ExceptionView {
  const at = row.resolvedAt as unknown;
  return {
    ...row,
    resolvedAt: at instanceof Date ? at.toISOString() : (row.resolvedAt ?? null),
    repairs: row.status === 'open' ? REPAIRS[row.type] : [],
  };
}

export async function readRun(
  ds: DataSource,
  runId: string,
  page: ExceptionPage,
): Promise<RunView | null> {
  const [run] = await ds.query<Array<Record<string, unknown>>>(
    `SELECT * FROM reconciliation_runs WHERE id = $1`,
    [runId],
  );
  if (!run) return null;
  const filter = page.type ? `AND type = $2` : '';
  const params: unknown[] = page.type ? [runId, page.type] : [runId];
  const [{ total }] = await ds.query<Array<{ total: number }>>(
    `SELECT count(*)::int AS total FROM reconciliation_exceptions WHERE run_id = $1 ${filter}`,
    params,
  );
  const items = await ds.query<Array<Omit<ExceptionView, 'repairs'>>>(
    `SELECT ${EXCEPTION_COLUMNS} FROM reconciliation_exceptions WHERE run_id = $1 ${filter}
     ORDER BY rank, line NULLS LAST, order_id, id
     LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}`,
    params,
  );
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
  const stored = run.summary as Partial<RunSummary>;
  return {
    id: String(run.id),
    status: String(run.status),
    source: String(run.source),
    period: { from: iso(run.period_from), to: iso(run.period_to) },
    actor: String(run.actor),
    createdAt: iso(run.created_at)!,
    startedAt: iso(run.started_at),
    finishedAt: iso(run.finished_at),
    error: (run.error as string | null) ?? null,
    summary: stored.byType ? (stored as RunSummary) : emptySummary(),
    destinations: (run.destinations as DestinationReport[]) ?? [],
    exceptions: {
      page: page.page,
      pageSize: page.pageSize,
      total,
      items: items.map(toExceptionView),
    },
  };
}

export interface RunListItem {
  id: string;
  status: string;
  source: string;
  period: { from: string | null; to: string | null };
  actor: string;
  createdAt: string;
  finishedAt: string | null;
  rows: number;
  matched: number;
  exceptions: number;
  open: number;
}

/** The newest runs first, each with its counts (open: exceptions not yet repaired or resolved). */
export async function listRuns(
  ds: DataSource,
  page: { page: number; pageSize: number },
): Promise<{ page: number; pageSize: number; total: number; items: RunListItem[] }> {
  const [{ total }] = await ds.query<Array<{ total: number }>>(
    `SELECT count(*)::int AS total FROM reconciliation_runs`,
  );
  const rows = await ds.query<Array<Record<string, unknown>>>(
    `SELECT r.*, (SELECT count(*)::int FROM reconciliation_exceptions e
       WHERE e.run_id = r.id AND e.status = 'open') AS open
     FROM reconciliation_runs r ORDER BY r.created_at DESC, r.id
     LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}`,
  );
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
  const items = rows.map((run) => {
    const summary = run.summary as Partial<RunSummary>;
    return {
      id: String(run.id),
      status: String(run.status),
      source: String(run.source),
      period: { from: iso(run.period_from), to: iso(run.period_to) },
      actor: String(run.actor),
      createdAt: iso(run.created_at)!,
      finishedAt: iso(run.finished_at),
      rows: Number(run.row_count),
      matched: Number(run.matched_count),
      exceptions: summary.exceptions ?? 0,
      open: Number(run.open),
    };
  });
  return { page: page.page, pageSize: page.pageSize, total, items };
}
