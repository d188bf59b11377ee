import type { DataSource } from 'typeorm';
import type { VposEmulator } from '../../sandbox/vpos/vpos-emulator';

export type Expected =
  | 'provider_paid_journal_pending'
  | 'provider_paid_journal_missing'
  | 'journal_paid_provider_not_paid'
  | 'amount_mismatch'
  | 'currency_mismatch'
  | 'refund_not_in_journal'
  | 'missing_order_id'
  | 'duplicate_provider_row'
  | 'malformed_row';

export interface ReportRow {
  provider_reference: string;
  order_id: string;
  amount_minor: string;
  currency: string;
  status: string;
  paid_at: string;
  refund_amount_minor: string;
}

export interface GeneratedReport {
  /** CSV lines after the header, in order (line n of the file is lines[n - 2]). */
  lines: string[];
  /** Exception type → the keys the run must report (order id, or `line:<n>`). */
  expected: Map<Expected, Set<string>>;
  matched: number;
  /** Sessions at VPOS a lookup repair turns into matches. */
  recoverable: Set<string>;
}

interface JournalSeed {
  order: string;
  ref: string;
  status: string;
  amount: number;
  currency: string;
  refunded?: number;
}

const HEADER =
  'provider_reference,order_id,amount_minor,currency,status,paid_at,refund_amount_minor';

/**
 * A report of about `n` rows with every exception type, plus the journal it is matched against
 * (seeded straight into the tables, the same shape the journal writes). Journal-pending and
 * journal-missing payments are real, paid VPOS sessions so a lookup repair can fix them.
 */
export async function generateReport(
  ds: DataSource,
  vpos: VposEmulator,
  prefix: string,
  n: number,
  paidAt: Date,
): Promise<GeneratedReport> {
  const seeds: JournalSeed[] = [];
  const lines: string[] = [];
  const expected = new Map<Expected, Set<string>>();
  const recoverable = new Set<string>();
  let matched = 0;
  const expect = (type: Expected, key: string) => {
    if (!expected.has(type)) expected.set(type, new Set());
    expected.get(type)!.add(key);
  };
  const when = paidAt.toISOString();
  const row = (
    ref: string,
    order: string,
    amount: number | string,
    cur: string,
    status: string,
    refund = '',
  ) => {
    lines.push([ref, order, amount, cur, status, when, refund].join(','));
    return lines.length + 1;
  };
  const amount = (i: number) => 10_000 + i * 100;
  const share = Math.max(10, Math.floor(n / 60));
  let i = 0;
  const next = () => `${prefix}-${(i++).toString().padStart(6, '0')}`;

  for (let k = 0; k < share; k++) {
    const s = vpos.createSession({
      merchantOrderId: next(),
      amountMinor: amount(i),
      currency: 'AMD',
    });
    vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } });
    seeds.push({
      order: s.merchantOrderId,
      ref: s.id,
      status: 'pending',
      amount: s.amountMinor,
      currency: 'AMD',
    });
    row(s.id, s.merchantOrderId, s.amountMinor, 'AMD', 'paid');
    expect('provider_paid_journal_pending', s.merchantOrderId);
    recoverable.add(s.merchantOrderId);
  }
  for (let k = 0; k < share; k++) {
    const s = vpos.createSession({
      merchantOrderId: next(),
      amountMinor: amount(i),
      currency: 'AMD',
    });
    vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } });
    row(s.id, s.merchantOrderId, s.amountMinor, 'AMD', 'succeeded');
    expect('provider_paid_journal_missing', s.merchantOrderId);
    recoverable.add(s.merchantOrderId);
  }
  for (let k = 0; k < share; k++) {
    const o = next();
    seeds.push({ order: o, ref: `ref-${o}`, status: 'paid', amount: amount(i), currency: 'AMD' });
    row(`ref-${o}`, o, amount(i), 'AMD', k % 2 ? 'failed' : 'cancelled');
    expect('journal_paid_provider_not_paid', o);
  }
  for (let k = 0; k < share; k++) {
    // Paid in the journal, absent from the report altogether.
    const o = next();
    seeds.push({ order: o, ref: `ref-${o}`, status: 'paid', amount: amount(i), currency: 'AMD' });
    expect('journal_paid_provider_not_paid', o);
  }
  for (let k = 0; k < share; k++) {
    const o = next();
    seeds.push({ order: o, ref: `ref-${o}`, status: 'paid', amount: amount(i), currency: 'AMD' });
    row(`ref-${o}`, o, amount(i) + 1, 'AMD', 'paid');
    expect('amount_mismatch', o);
  }
  for (let k = 0; k < share; k++) {
    const o = next();
    seeds.push({ order: o, ref: `ref-${o}`, status: 'paid', amount: amount(i), currency: 'AMD' });
    row(`ref-${o}`, o, amount(i), 'USD', 'paid');
    expect('currency_mismatch', o);
  }
  for (let k = 0; k < share; k++) {
    const o = next();
    seeds.push({ order: o, ref: `ref-${o}`, status: 'paid', amount: amount(i), currency: 'AMD' });
    row(`ref-${o}`, o, amount(i), 'AMD', 'refunded', String(amount(i)));
    expect('refund_not_in_journal', o);
  }
  for (let k = 0; k < share; k++) {
    const line = row(`ref-orphan-${prefix}-${k}`, '', 5000, 'AMD', 'paid');
    expect('missing_order_id', `line:${line}`);
  }
  const malformed = ['abc', '-5', '12.5'];
  for (let k = 0; k < share; k++) {
    const o = next();
    const kind = k % 4;
    const line =
      kind === 0
        ? row(`ref-${o}`, o, malformed[k % 3], 'AMD', 'paid')
        : kind === 1
          ? row(`ref-${o}`, o, 100, 'AMD', 'teleported')
          : kind === 2
            ? row('', o, 100, 'AMD', 'paid')
            : (lines.push(`ref-${o},${o},100,AMD,paid,${when},,extra,cells`), lines.length + 1);
    expect('malformed_row', `line:${line}`);
  }
  const firstMatched = lines.length;
  const remaining = Math.max(0, n - lines.length - share);
  for (let k = 0; k < remaining; k++) {
    const o = next();
    const failed = k % 20 === 0;
    seeds.push({
      order: o,
      ref: `ref-${o}`,
      status: failed ? 'failed' : 'paid',
      amount: amount(i),
      currency: 'AMD',
    });
    row(`ref-${o}`, o, amount(i), 'AMD', failed ? 'declined' : 'paid');
    matched += 1;
  }
  for (let k = 0; k < share; k++) {
    // A second row of an already matched payment.
    const [ref, order] = lines[firstMatched + k].split(',');
    const line = row(ref, order, 1, 'AMD', 'paid');
    expect('duplicate_provider_row', `line:${line}`);
  }
  await seedJournal(ds, seeds, paidAt);
  return { lines, expected, matched, recoverable };
}

export function toCsv(report: GeneratedReport): string {
  return [HEADER, ...report.lines].join('\n') + '\n';
}

/** Orders and attempts as the journal keeps them, in batches. */
export async function seedJournal(ds: DataSource, seeds: JournalSeed[], at: Date): Promise<void> {
  for (let k = 0; k < seeds.length; k += 1000) {
    const part = seeds.slice(k, k + 1000);
    const cols = [
      part.map((s) => s.order),
      part.map((s) => s.ref),
      part.map((s) => s.status),
      part.map((s) => s.amount),
      part.map((s) => s.currency),
      part.map((s) => s.refunded ?? 0),
    ];
    await ds.query(
      `INSERT INTO payment_orders (order_id, status, amount_minor, currency)
       SELECT o, st, a, c FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS x(o, st, a, c)`,
      [cols[0], cols[2], cols[3], cols[4]],
    );
    await ds.query(
      `INSERT INTO payment_attempts (order_id, attempt_no, provider, provider_payment_id, status,
         amount_minor, currency, refunded_amount_minor, status_changed_at)
       SELECT o, 1, 'vpos', r, st, a, c, rf, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[])
         AS x(o, r, st, a, c, rf)`,
      [...cols, at],
    );
  }
}
