import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { printable } from '../common/input-safety';

export const REJECTION_INTERVAL_MS = 60_000;
export const MAX_TRACKED_SOURCES = 256;
export const OVERFLOW_SOURCE = '(other sources)';
const FIELD_MAX = 64;

export interface WebhookRejection {
  source: string | undefined;
  reason: string;
  webhookId: string | undefined;
  bytes: number;
}

interface Tally {
  windowStart: number;
  count: number;
  reasons: Record<string, number>;
  firstAt: number;
  lastAt: number;
  sample: { webhookId: string | null; bytes: number };
}

export function clip(value: string | undefined, max = FIELD_MAX): string | null {
  return value === undefined ? null : printable(value.slice(0, max)).slice(0, max * 6);
}

// Anyone can send these, so nothing is stored per request: per source one audit row and warning
// per interval; memory bounded by MAX_TRACKED_SOURCES (the rest share one tally).
@Injectable()
export class WebhookRejections implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookRejections');
  private readonly tallies = new Map<string, Tally>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly audit: AuditService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), REJECTION_INTERVAL_MS / 4);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(Number.POSITIVE_INFINITY);
  }

  async record(rejection: WebhookRejection, now = Date.now()): Promise<void> {
    const source = clip(rejection.source ?? 'unknown') ?? 'unknown';
    const key =
      this.tallies.has(source) || this.tallies.size < MAX_TRACKED_SOURCES
        ? source
        : OVERFLOW_SOURCE;
    const tally = this.tallies.get(key);
    if (tally) {
      if (tally.count === 0) tally.firstAt = now;
      tally.count += 1;
      tally.reasons[rejection.reason] = (tally.reasons[rejection.reason] ?? 0) + 1;
      tally.lastAt = now;
      return;
    }
    const opened: Tally = {
      windowStart: now,
      count: 1,
      reasons: { [rejection.reason]: 1 },
      firstAt: now,
      lastAt: now,
      sample: { webhookId: clip(rejection.webhookId), bytes: rejection.bytes },
    };
    this.tallies.set(key, opened);
    await this.write([this.close(key, opened, now)]);
  }

  async flush(now = Date.now()): Promise<void> {
    const at = Number.isFinite(now) ? now : Date.now();
    const rows: AuditRecord[] = [];
    for (const [source, tally] of this.tallies) {
      if (now - tally.windowStart < REJECTION_INTERVAL_MS) continue;
      if (tally.count === 0) this.tallies.delete(source);
      else rows.push(this.close(source, tally, at));
    }
    await this.write(rows);
  }

  get trackedSources(): number {
    return this.tallies.size;
  }

  private close(source: string, tally: Tally, now: number): AuditRecord {
    const row: AuditRecord = {
      kind: 'webhook.rejected',
      actor: 'vpos',
      data: {
        source,
        count: tally.count,
        reasons: tally.reasons,
        firstAt: new Date(tally.firstAt).toISOString(),
        lastAt: new Date(tally.lastAt).toISOString(),
        sample: tally.sample,
      },
    };
    tally.windowStart = now;
    tally.count = 0;
    tally.reasons = {};
    return row;
  }

  private async write(rows: AuditRecord[]): Promise<void> {
    if (rows.length === 0) return;
    for (const row of rows) this.logger.warn(row.data, 'webhooks rejected');
    try {
      await this.audit.record(rows);
    } catch (err) {
      this.logger.error({ err }, 'could not record webhook rejections');
    }
  }
}
