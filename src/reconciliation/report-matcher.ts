import type { EntityManager } from 'typeorm';
import { rankSql } from './exception-types';

export interface Period {
  from: Date;
  to: Date;
}

const PAID = `('paid','partially_refunded','refunded')`;

/** When an attempt was paid: its applied paid event (the provider's time), else its last change. */
const paidTime = (a: string) => `COALESCE((SELECT min(e.occurred_at) FROM payment_events e
  WHERE e.order_id = ${a}.order_id AND e.attempt_id = ${a}.id AND e.type = 'paid' AND e.applied),
  ${a}.status_changed_at)`;

/*
 * Each staged row gets at most one exception, the first that applies in danger order; a row
 * with none is matched, unless its paid_at lies outside the run's period ($2, $3): then it is
 * paid_outside_period. The journal side of a row is the attempt with its provider reference,
 * else its order.
 */
const CLASSIFY = `
  WITH r AS (
    SELECT x.*, row_number() OVER (PARTITION BY x.provider_reference ORDER BY x.line) AS rn
    FROM reconciliation_rows x WHERE x.run_id = $1
  ), j AS (
    SELECT r.*, a.id AS attempt_id, o.order_id AS j_order,
      COALESCE(a.status, o.status) AS j_status,
      COALESCE(a.amount_minor, o.amount_minor) AS j_amount,
      COALESCE(a.currency, o.currency) AS j_currency,
      COALESCE(a.refunded_amount_minor, (SELECT sum(refunded_amount_minor) FROM payment_attempts s
        WHERE s.order_id = o.order_id), 0) AS j_refunded
    FROM r
    LEFT JOIN payment_attempts a ON a.provider = 'vpos' AND a.provider_payment_id = r.provider_reference
    LEFT JOIN payment_orders o ON o.order_id = COALESCE(a.order_id, r.order_id)
  ), k AS (
    SELECT j.*, CASE
      WHEN rn > 1 THEN 'duplicate_provider_row'
      WHEN order_id IS NULL AND attempt_id IS NULL THEN 'missing_order_id'
      WHEN status IN ('paid','refunded') AND j_order IS NULL THEN 'provider_paid_journal_missing'
      WHEN status IN ('paid','refunded') AND j_status NOT IN ${PAID}
        THEN 'provider_paid_journal_pending'
      WHEN status NOT IN ('paid','refunded') AND j_status IN ${PAID}
        THEN 'journal_paid_provider_not_paid'
      WHEN status NOT IN ('paid','refunded') THEN NULL
      WHEN j_amount IS DISTINCT FROM amount_minor THEN 'amount_mismatch'
      WHEN j_currency IS DISTINCT FROM currency THEN 'currency_mismatch'
      WHEN (status = 'refunded' OR COALESCE(refund_amount_minor, 0) > 0)
        AND j_refunded < COALESCE(NULLIF(refund_amount_minor, 0), amount_minor)
        THEN 'refund_not_in_journal'
    END AS found
    FROM j
  ), c AS (
    SELECT k.*, COALESCE(found, CASE WHEN $2::timestamptz IS NOT NULL AND paid_at IS NOT NULL
      AND (paid_at < $2 OR paid_at >= $3) THEN 'paid_outside_period' END) AS type
    FROM k
  ), ins AS (
    INSERT INTO reconciliation_exceptions (run_id, type, rank, line, order_id, provider_reference,
      amount_minor, currency, detail)
    SELECT $1, type, ${rankSql('type')}, line, COALESCE(j_order, order_id), provider_reference,
      amount_minor, currency, jsonb_build_object(
        'report', jsonb_build_object('status', status, 'amountMinor', amount_minor,
          'currency', currency, 'refundAmountMinor', refund_amount_minor, 'paidAt', paid_at,
          'orderId', order_id),
        'journal', CASE WHEN j_order IS NULL THEN NULL ELSE jsonb_build_object(
          'status', j_status, 'amountMinor', j_amount, 'currency', j_currency,
          'refundedAmountMinor', j_refunded, 'attemptId', attempt_id) END,
        'period', CASE WHEN type = 'paid_outside_period'
          THEN jsonb_build_object('from', $2::timestamptz, 'to', $3::timestamptz) END)
    FROM c WHERE type IS NOT NULL
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM c WHERE type IS NULL)::int AS matched,
    (SELECT count(*) FROM ins)::int AS exceptions`;

/** Journal-paid attempts, paid within the period, that the report does not mention at all. */
const ABSENT = `
  INSERT INTO reconciliation_exceptions (run_id, type, rank, order_id, provider_reference,
    amount_minor, currency, detail)
  SELECT $1, 'journal_paid_provider_not_paid', ${rankSql(`'journal_paid_provider_not_paid'`)},
    a.order_id, a.provider_payment_id, a.amount_minor, a.currency,
    jsonb_build_object('report', NULL, 'journal', jsonb_build_object('status', a.status,
      'amountMinor', a.amount_minor, 'currency', a.currency, 'attemptId', a.id,
      'paidAt', a.paid_at, 'statusChangedAt', a.status_changed_at))
  FROM (SELECT p.*, ${paidTime('p')} AS paid_at FROM payment_attempts p
    WHERE p.status IN ${PAID} AND p.status_changed_at >= $2) a
  WHERE a.paid_at >= $2 AND a.paid_at < $3
    AND NOT EXISTS (SELECT 1 FROM reconciliation_rows x WHERE x.run_id = $1
      AND x.provider_reference = a.provider_payment_id)
    AND NOT EXISTS (SELECT 1 FROM reconciliation_rows x WHERE x.run_id = $1
      AND x.order_id = a.order_id)`;

export async function matchReport(
  m: EntityManager,
  runId: string,
  period: Period | null,
): Promise<{ matched: number }> {
  // Freshly staged rows: without statistics the planner takes the table for empty.
  await m.query(`ANALYZE reconciliation_rows`);
  const [out] = await m.query<Array<{ matched: number }>>(CLASSIFY, [
    runId,
    period?.from ?? null,
    period?.to ?? null,
  ]);
  if (period) await m.query(ABSENT, [runId, period.from, period.to]);
  return { matched: out.matched };
}

/**
 * Orders the journal holds as paid that a destination should show as paid: those of the report
 * plus those paid in the period, each with the connections it was delivered to.
 */
export const PAID_ORDERS_FOR_DESTINATIONS = `
  SELECT o.order_id, o.amount_minor, o.currency
  FROM (SELECT DISTINCT order_id FROM deliveries WHERE connection_id = $2 AND status <> 'skipped') d
  JOIN payment_orders o ON o.order_id = d.order_id
  WHERE o.status = 'paid' AND o.order_id IN (
    SELECT x.order_id FROM reconciliation_rows x WHERE x.run_id = $1 AND x.order_id IS NOT NULL
    UNION
    SELECT a.order_id FROM payment_attempts a JOIN reconciliation_rows x
      ON x.run_id = $1 AND a.provider = 'vpos' AND a.provider_payment_id = x.provider_reference
    UNION
    SELECT a.order_id FROM payment_attempts a WHERE $3::timestamptz IS NOT NULL
      AND a.status = 'paid' AND a.status_changed_at >= $3
      AND ${paidTime('a')} >= $3 AND ${paidTime('a')} < $4)
  ORDER BY o.order_id`;
