import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { QUEUES } from '../src/queue/queues';
import { ReconciliationSchedule } from '../src/reconciliation/reconciliation-schedule';
import { pay } from './support/delivery-fixtures';
import { startStack, Stack } from './support/stack';
import { adminHeaders, startTestHub, waitFor } from './support/test-hub';

describe('reconciliation: the daily run', () => {
  let stack: Stack;
  let report: http.Server;
  let reportUrl: string;
  const seen: Array<string | undefined> = [];
  let csv = '';

  beforeAll(async () => {
    stack = await startStack({
      RECONCILIATION_SCHEDULE: '15 1 * * *',
      RECONCILIATION_TIME_ZONE: 'UTC',
    });
    report = http.createServer((req, res) => {
      seen.push(req.headers['x-report-key'] as string | undefined);
      if (req.headers['x-report-key'] !== 'secret-key-1') {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/csv' }).end(csv);
    });
    await new Promise<void>((r) => report.listen(0, '127.0.0.1', r));
    reportUrl = `http://127.0.0.1:${(report.address() as AddressInfo).port}/daily.csv`;
  });
  afterAll(async () => {
    await new Promise((r) => report?.close(r));
    await stack?.close();
  });

  const paidOrders = async (n: number) => {
    const sessions = Array.from({ length: n }, () => pay(stack.vpos));
    for (const s of sessions) {
      await waitFor(
        async () =>
          (await request(stack.hub.url).get(`/api/payments/${s.merchantOrderId}`).set(adminHeaders))
            .body.status === 'paid',
        30000,
        `${s.merchantOrderId} paid`,
      );
    }
    return sessions;
  };
  const tomorrow = () => new Date(Date.now() + 86400_000);

  it('is one job scheduler on the cron pattern, in the configured time zone', async () => {
    const queue = stack.hub.app.get<Queue>(getQueueToken(QUEUES.reconciliation));
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([
      ['reconcile-daily', '15 1 * * *', 'UTC'],
    ]);
  });

  it('without a report URL, looks every attempt of the day up at VPOS', async () => {
    const sessions = await paidOrders(3);
    const run = await stack.hub.app.get(ReconciliationSchedule).runDaily(tomorrow());
    expect(run).toMatchObject({
      status: 'completed',
      source: 'scheduled_lookup',
      actor: 'scheduler',
    });
    expect(run.summary.matched).toBeGreaterThanOrEqual(sessions.length);
    expect(run.summary.exceptions).toBe(0);
  });

  it('with a report URL, downloads the CSV with the configured header', async () => {
    const sessions = await paidOrders(2);
    csv =
      'provider_reference,order_id,amount_minor,currency,status,paid_at,refund_amount_minor\n' +
      sessions.map((s) => `${s.id},${s.merchantOrderId},${s.amountMinor},AMD,failed,,`).join('\n');
    const hub = await startTestHub(stack.db, {
      VPOS_API_BASE_URL: stack.vpos.url,
      RECONCILIATION_SCHEDULE: 'off',
      RECONCILIATION_REPORT_URL: reportUrl,
      RECONCILIATION_REPORT_AUTH_HEADER: 'X-Report-Key: secret-key-1',
    });
    try {
      const run = await hub.app.get(ReconciliationSchedule).runDaily(tomorrow());
      expect(run.source).toBe('scheduled_report');
      expect(seen.at(-1)).toBe('secret-key-1');
      const types = run.exceptions.items.map((e) => `${e.type}/${e.orderId}`);
      for (const s of sessions) {
        expect(types).toContain(`journal_paid_provider_not_paid/${s.merchantOrderId}`);
      }
      const queue = hub.app.get<Queue>(getQueueToken(QUEUES.reconciliation));
      expect(await queue.getJobSchedulers()).toEqual([]);
    } finally {
      await hub.close();
    }
  });
});
