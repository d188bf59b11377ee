import { BadRequestException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import {
  readVposIntake,
  SIGNATURE_MESSAGES,
  vposIntakeProblem,
} from '../providers/vpos/vpos-intake';
import { verifyWebhookSignature } from '../providers/vpos/vpos-signature';
import { IntakeBatcher } from './intake-batcher';
import { findUnstorableText, parseJsonObject } from './webhook-body';
import { WebhookRejections } from './webhook-rejections';

export type IntakeResult =
  { status: 'accepted'; eventId: string } | { status: 'duplicate'; providerEventId: string };

type Headers = Record<string, string | string[] | undefined>;

const KEPT_HEADERS = ['webhook-id', 'webhook-timestamp', 'content-type', 'user-agent'];
const KEPT_HEADER_MAX = 256;

@Injectable()
export class WebhooksService {
  constructor(
    private readonly batcher: IntakeBatcher,
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
    const inserted = await this.batcher.store({
      providerEventId,
      webhookId: signature.webhookId ?? null,
      eventType: claim.type ?? null,
      orderId: claim.orderId ?? null,
      paymentId: claim.sessionId ?? null,
      headers: JSON.stringify(kept),
      rawBody: text,
      audit: JSON.stringify({
        providerEventId,
        signature: 'valid',
        scheme: this.config.vpos.webhook.scheme,
        eventType: claim.type ?? null,
        claimedStatus: claim.status ?? null,
        providerPaymentId: claim.sessionId ?? null,
      }),
    });
    this.received.inc({ result: inserted ? 'accepted' : 'duplicate' });
    this.ackSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    return inserted
      ? { status: 'accepted', eventId: inserted }
      : { status: 'duplicate', providerEventId };
  }
}

function unstorable(path: string | undefined): string | undefined {
  return path && `${path}: must not contain \\u0000 or a lone UTF-16 surrogate`;
}
