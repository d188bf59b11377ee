import { BadRequestException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import {
  readVposIntake,
  SIGNATURE_MESSAGES,
  vposIntakeProblem,
} from '../providers/vpos/vpos-intake';
import { verifyWebhookSignature } from '../providers/vpos/vpos-signature';
import { JOBS, jobIdSql, QUEUES } from '../queue/queues';
import { findUnstorableText, parseJsonObject } from './webhook-body';
import { WebhookRejections } from './webhook-rejections';

export type IntakeResult =
  { status: 'accepted'; eventId: string } | { status: 'duplicate'; providerEventId: string };

type Headers = Record<string, string | string[] | undefined>;

const KEPT_HEADERS = ['webhook-id', 'webhook-timestamp', 'content-type', 'user-agent'];
const KEPT_HEADER_MAX = 256;

/**
 * The ack path: parse, verify the signature, then one SQL statement that stores the raw
 * event (unique per provider event id), its outbox row and an audit entry atomically.
 * Nothing here touches Redis, so Redis being down never fails a webhook.
 */
const INTAKE_SQL = `
WITH ins AS (
  INSERT INTO webhook_events
    (provider, provider_event_id, webhook_id, event_type, claimed_order_id, claimed_payment_id,
     headers, raw_body)
  VALUES ('vpos', $1, $2, $3, $4, $5, $6::jsonb, $7)
  ON CONFLICT (provider, provider_event_id) DO NOTHING
  RETURNING id
), ob AS (
  INSERT INTO outbox (queue, job_name, job_id, payload)
  SELECT $8, $9, ${jobIdSql.verifyWebhook('id')}, jsonb_build_object('webhookEventId', id) FROM ins
), au AS (
  INSERT INTO audit_log (order_id, raw_event_id, kind, actor, data)
  SELECT $4, (SELECT id FROM ins), 'webhook.received', 'vpos',
         $10::jsonb || jsonb_build_object('duplicate', NOT EXISTS (SELECT 1 FROM ins))
)
SELECT (SELECT id FROM ins) AS inserted_id`;

@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rejections: WebhookRejections,
    @InjectMetric('vposhub_webhooks_received_total') private readonly received: Counter<string>,
    @InjectMetric('vposhub_webhook_ack_seconds') private readonly ackSeconds: Histogram,
  ) {}

  async ingest(body: unknown, headers: Headers, remoteAddress?: string): Promise<IntakeResult> {
    const started = process.hrtime.bigint();
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const parsed = parseJsonObject(raw);
    if (!parsed.ok) {
      this.received.inc({ result: 'malformed' });
      throw new BadRequestException(parsed.message);
    }

    const signature = verifyWebhookSignature(this.config.vpos.webhook, headers, raw);
    if (!signature.ok) {
      this.received.inc({ result: `rejected_${signature.reason}` });
      await this.rejections.record({
        source: remoteAddress,
        reason: signature.reason,
        webhookId: signature.webhookId,
        bytes: raw.length,
      });
      throw new UnauthorizedException(SIGNATURE_MESSAGES[signature.reason]);
    }

    const text = raw.toString('utf8');
    const problem =
      vposIntakeProblem(parsed.value, signature.webhookId, this.config.vpos.fields) ??
      unstorable(findUnstorableText(text, parsed.value));
    if (problem) {
      this.received.inc({ result: 'invalid' });
      throw new BadRequestException(problem);
    }

    const intake = readVposIntake(parsed.value, signature.webhookId, this.config.vpos.fields);
    if (!intake.ok) {
      this.received.inc({ result: 'malformed' });
      throw new BadRequestException(intake.message);
    }
    const { claim, providerEventId } = intake;

    const kept = Object.fromEntries(
      KEPT_HEADERS.filter((h) => typeof headers[h] === 'string').map((h) => [
        h,
        (headers[h] as string).slice(0, KEPT_HEADER_MAX),
      ]),
    );
    // A named statement: PostgreSQL parses and plans it once per connection, not per webhook.
    const { rows } = await this.pool().query<{ inserted_id: string | null }>({
      name: 'vposhub_intake_v1',
      text: INTAKE_SQL,
      values: [
        providerEventId,
        signature.webhookId ?? null,
        claim.type ?? null,
        claim.orderId ?? null,
        claim.sessionId ?? null,
        JSON.stringify(kept),
        text,
        QUEUES.verification,
        JOBS.verifyWebhook,
        JSON.stringify({
          providerEventId,
          signature: 'valid',
          scheme: this.config.vpos.webhook.scheme,
          eventType: claim.type ?? null,
          claimedStatus: claim.status ?? null,
          providerPaymentId: claim.sessionId ?? null,
        }),
      ],
    });
    const inserted = rows[0]?.inserted_id;
    this.received.inc({ result: inserted ? 'accepted' : 'duplicate' });
    this.ackSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    return inserted
      ? { status: 'accepted', eventId: inserted }
      : { status: 'duplicate', providerEventId };
  }

  private pool(): Pool {
    return (this.ds.driver as PostgresDriver).master as Pool;
  }
}

function unstorable(path: string | undefined): string | undefined {
  return path && `${path}: must not contain \\u0000 or a lone UTF-16 surrogate`;
}
