import request from 'supertest';
import type { VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { generateReport, GeneratedReport, toCsv } from './factories/reconciliation-report';
import { startStack, Stack } from './support/stack';
import { adminHeaders, TestHub } from './support/test-hub';

interface ExceptionItem {
  id: string;
  type: string;
  line: number | null;
  orderId: string | null;
  status: string;
  detail: Record<string, unknown>;
}

describe('reconciliation: a provider report against the journal', () => {
  let stack: Stack;
  let hub: TestHub;
  let vpos: VposEmulator;
  let report: GeneratedReport;
  const paidAt = new Date(Date.now() - 3600_000);
  const period = {
    from: new Date(paidAt.getTime() - 3600_000).toISOString(),
    to: new Date(paidAt.getTime() + 3600_000).toISOString(),
  };

  beforeAll(async () => {
    stack = await startStack({ RECONCILIATION_SCHEDULE: 'off' });
    ({ hub, vpos } = stack);
    report = await generateReport(stack.db.ds, vpos, 'rc', 3000, paidAt);
  });
  afterAll(() => stack?.close());

  const post = () =>
    request(hub.url)
      .post('/api/reconciliation/runs')
      .query(period)
      .set(adminHeaders)
      .set('x-actor', 'Anna');

  /** Every exception of a run, page by page. */
  async function allExceptions(runId: string): Promise<ExceptionItem[]> {
    const items: ExceptionItem[] = [];
    for (let page = 1; ; page++) {
      const res = await request(hub.url)
        .get(`/api/reconciliation/runs/${runId}`)
        .query({ page, pageSize: 500 })
        .set(adminHeaders);
      expect(res.status).toBe(200);
      items.push(...(res.body.exceptions.items as ExceptionItem[]));
      if (items.length >= res.body.exceptions.total) return items;
    }
  }

  const keyOf = (e: ExceptionItem) =>
    ['missing_order_id', 'duplicate_provider_row', 'malformed_row'].includes(e.type)
      ? `line:${e.line}`
      : e.orderId!;

  function byType(items: ExceptionItem[]): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const e of items) {
      if (!out.has(e.type)) out.set(e.type, new Set());
      out.get(e.type)!.add(keyOf(e));
    }
    return out;
  }

  let firstRunId: string;

  it('a CSV report finds every exception with its type and nothing else', async () => {
    const res = await post().set('content-type', 'text/csv').send(toCsv(report));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('completed');
    firstRunId = res.body.id;
    const found = byType(await allExceptions(firstRunId));
    expect([...found.keys()].sort()).toEqual([...report.expected.keys()].sort());
    for (const [type, keys] of report.expected) {
      expect({ type, keys: [...found.get(type)!].sort() }).toEqual({
        type,
        keys: [...keys].sort(),
      });
    }
    const summary = res.body.summary;
    expect(summary.rows).toBe(report.lines.length);
    expect(summary.matched).toBe(report.matched);
    for (const [type, keys] of report.expected) expect(summary.byType[type].count).toBe(keys.size);
    expect(summary.byType.destination_missing.count).toBe(0);
    const total = [...report.expected.values()].reduce((n, s) => n + s.size, 0);
    expect(summary.exceptions).toBe(total);
    // The first page is the most dangerous first.
    expect(res.body.exceptions.items[0].type).toBe('provider_paid_journal_pending');
    expect(res.body.exceptions.total).toBe(total);
  });

  it('a malformed row names its line and the problem', async () => {
    const res = await request(hub.url)
      .get(`/api/reconciliation/runs/${firstRunId}`)
      .query({ type: 'malformed_row', pageSize: 500 })
      .set(adminHeaders);
    const items = res.body.exceptions.items as ExceptionItem[];
    const problems = items.map((e) => String(e.detail.problem));
    expect(problems.some((p) => p.startsWith('amount_minor:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('status: unknown status "teleported"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('provider_reference: is required'))).toBe(true);
    expect(problems.some((p) => p.startsWith('csv:'))).toBe(true);
    for (const e of items) expect(report.lines[e.line! - 2]).toBeDefined();
  });

  it('the same report as JSON, multipart and async gives the same summary', async () => {
    const header = toCsv(report).split('\n')[0].split(',');
    const rows = report.lines.slice(0, 300).map((l) =>
      Object.fromEntries(
        l
          .split(',')
          .slice(0, 7)
          .map((v, i) => [header[i], v]),
      ),
    );
    const json = await post().send({ rows });
    expect(json.status).toBe(201);
    expect(json.body.summary.rows).toBe(300);

    const multipart = await request(hub.url)
      .post('/api/reconciliation/runs')
      .set(adminHeaders)
      .field('from', period.from)
      .field('to', period.to)
      .attach('report', Buffer.from(toCsv(report)), {
        filename: 'report.csv',
        contentType: 'text/csv',
      });
    expect(multipart.status).toBe(201);
    expect(multipart.body.summary.byType).toEqual(
      (await request(hub.url).get(`/api/reconciliation/runs/${firstRunId}`).set(adminHeaders)).body
        .summary.byType,
    );

    const queued = await post()
      .query({ async: 'true' })
      .set('content-type', 'text/csv')
      .send(toCsv(report));
    expect(queued.status).toBe(202);
    expect(queued.body.status).toBe('queued');
    let done: { status: string; summary: { matched: number } } | undefined;
    for (let k = 0; k < 600 && done?.status !== 'completed'; k++) {
      await new Promise((r) => setTimeout(r, 100));
      done = (
        await request(hub.url).get(`/api/reconciliation/runs/${queued.body.id}`).set(adminHeaders)
      ).body;
    }
    expect(done?.summary.matched).toBe(report.matched);
  });

  it('a column mapping reads a report with other header names', async () => {
    const csv = toCsv(report).replace(/^provider_reference,order_id/, 'Reference,MerchantOrder');
    const columns = JSON.stringify({ provider_reference: 'Reference', order_id: 'MerchantOrder' });
    const res = await post().query({ columns }).set('content-type', 'text/csv').send(csv);
    expect(res.status).toBe(201);
    expect(res.body.summary.matched).toBe(report.matched);
  });

  it('the CSV export lists every exception and never starts a formula', async () => {
    const res = await request(hub.url)
      .get(`/api/reconciliation/runs/${firstRunId}/exceptions.csv`)
      .set(adminHeaders)
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => cb(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = (res.body as string).trim().split('\n');
    const total = [...report.expected.values()].reduce((n, s) => n + s.size, 0);
    expect(lines[0]).toMatch(/^id,type,line,order_id/);
    expect(lines.length - 1).toBeGreaterThanOrEqual(total);
    expect(lines.some((l) => /(^|,)[=+\-@]/.test(l))).toBe(false);
  });

  it('a lookup repair turns every recoverable exception into a match on a second run', async () => {
    for (const type of ['provider_paid_journal_pending', 'provider_paid_journal_missing']) {
      const res = await request(hub.url)
        .post(`/api/reconciliation/runs/${firstRunId}/repair`)
        .set(adminHeaders)
        .set('x-actor', 'Anna')
        .send({ action: 'lookup', type });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        failed: 0,
        repaired: report.expected.get(type as never)!.size,
      });
    }
    const orderId = [...report.recoverable][0];
    const audit = await request(hub.url).get(`/api/payments/${orderId}/audit`).set(adminHeaders);
    const repair = (
      audit.body as Array<{ kind: string; actor: string; data: Record<string, unknown> }>
    ).find((a) => a.kind === 'reconciliation.repair');
    expect(repair).toMatchObject({ actor: 'Anna', data: { action: 'lookup', runId: firstRunId } });

    const again = await post().set('content-type', 'text/csv').send(toCsv(report));
    expect(again.status).toBe(201);
    const found = byType(await allExceptions(again.body.id));
    expect(found.has('provider_paid_journal_pending')).toBe(false);
    expect(found.has('provider_paid_journal_missing')).toBe(false);
    expect(again.body.summary.matched).toBe(report.matched + report.recoverable.size);
  });

  it('resolve needs a comment and closes the exception, audited', async () => {
    const run = await request(hub.url)
      .get(`/api/reconciliation/runs/${firstRunId}`)
      .query({ type: 'amount_mismatch', pageSize: 1 })
      .set(adminHeaders);
    const [target] = run.body.exceptions.items as ExceptionItem[];
    const bare = await request(hub.url)
      .post(`/api/reconciliation/exceptions/${target.id}/repair`)
      .set(adminHeaders)
      .send({ action: 'resolve' });
    expect(bare.status).toBe(422);
    expect(bare.body.message).toMatch(/^comment must be a string \(required for resolve\)/);
    const wrong = await request(hub.url)
      .post(`/api/reconciliation/exceptions/${target.id}/repair`)
      .set(adminHeaders)
      .send({ action: 'redeliver' });
    expect(wrong.status).toBe(409);
    const ok = await request(hub.url)
      .post(`/api/reconciliation/exceptions/${target.id}/repair`)
      .set(adminHeaders)
      .set('x-actor', 'Vardan')
      .send({ action: 'resolve', comment: 'bank fee, agreed with VPOS' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'resolved', resolvedBy: 'Vardan' });
    const twice = await request(hub.url)
      .post(`/api/reconciliation/exceptions/${target.id}/repair`)
      .set(adminHeaders)
      .send({ action: 'resolve', comment: 'again' });
    expect(twice.status).toBe(409);
    const audit = await request(hub.url)
      .get(`/api/payments/${target.orderId}/audit`)
      .set(adminHeaders);
    expect(audit.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'reconciliation.repair',
          actor: 'Vardan',
          data: expect.objectContaining({
            action: 'resolve',
            comment: 'bank fee, agreed with VPOS',
          }),
        }),
      ]),
    );
  });
});
