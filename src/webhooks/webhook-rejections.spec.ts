import { Logger } from '@nestjs/common';
import type { AuditRecord, AuditService } from '../audit/audit.service';
import {
  MAX_TRACKED_SOURCES,
  OVERFLOW_SOURCE,
  REJECTION_INTERVAL_MS,
  WebhookRejections,
} from './webhook-rejections';

function setup() {
  const rows: AuditRecord[] = [];
  const audit = {
    record: (r: AuditRecord | AuditRecord[]) => {
      rows.push(...(Array.isArray(r) ? r : [r]));
      return Promise.resolve();
    },
  } as unknown as AuditService;
  return { rows, rejections: new WebhookRejections(audit) };
}

const reject = (source: string, reason = 'bad_signature', webhookId = 'msg_1') => ({
  source,
  reason,
  webhookId,
  bytes: 10,
});

describe('WebhookRejections', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('writes one row when a source is first seen, then one per interval with the count folded in', async () => {
    const { rows, rejections } = setup();
    const t0 = 1_000_000;
    for (let i = 0; i < 500; i++) await rejections.record(reject('10.0.0.1'), t0 + i);
    expect(rows).toHaveLength(1);
    expect(rows[0].data).toMatchObject({ source: '10.0.0.1', count: 1 });

    await rejections.flush(t0 + REJECTION_INTERVAL_MS / 2);
    expect(rows).toHaveLength(1);
    await rejections.flush(t0 + REJECTION_INTERVAL_MS);
    expect(rows).toHaveLength(2);
    expect(rows[1].data).toMatchObject({ count: 499, reasons: { bad_signature: 499 } });

    // A quiet source is forgotten after one empty interval.
    await rejections.flush(t0 + 2 * REJECTION_INTERVAL_MS);
    expect(rows).toHaveLength(2);
    expect(rejections.trackedSources).toBe(0);
  });

  it('truncates caller-controlled fields', async () => {
    const { rows, rejections } = setup();
    await rejections.record(reject('x'.repeat(500), 'missing_signature', 'i'.repeat(8192)));
    const data = rows[0].data as { source: string; sample: { webhookId: string } };
    expect(data.source).toHaveLength(64);
    expect(data.sample.webhookId).toHaveLength(64);
    expect(JSON.stringify(rows).length).toBeLessThan(600);
  });

  it('folds sources past the cap into one tally, so rotating addresses cannot grow memory', async () => {
    const { rows, rejections } = setup();
    const t0 = 5_000_000;
    for (let i = 0; i < MAX_TRACKED_SOURCES * 10; i++) {
      await rejections.record(reject(`10.1.${i >> 8}.${i & 255}`), t0);
    }
    expect(rejections.trackedSources).toBe(MAX_TRACKED_SOURCES + 1);
    expect(rows).toHaveLength(MAX_TRACKED_SOURCES + 1);
    await rejections.flush(t0 + REJECTION_INTERVAL_MS);
    const overflow = rows.filter((r) => r.data?.source === OVERFLOW_SOURCE);
    expect(overflow.map((r) => r.data?.count)).toEqual([1, MAX_TRACKED_SOURCES * 9 - 1]);
  });

  it('writes pending counts on shutdown', async () => {
    const { rows, rejections } = setup();
    await rejections.record(reject('10.0.0.2'));
    await rejections.record(reject('10.0.0.2', 'stale_timestamp'));
    await rejections.beforeApplicationShutdown();
    expect(rows.map((r) => r.data?.count)).toEqual([1, 1]);
    expect(rows[1].data).toMatchObject({ reasons: { stale_timestamp: 1 } });
  });
});
