import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { DelayedError, Job } from 'bullmq';
import { Counter, Histogram } from 'prom-client';
import { classifyHttpError } from '../common/errors';
import { ConnectionsService } from '../connections/connections.service';
import { ConnectorRegistry } from '../connectors/connector.registry';
import {
  ConnectorError,
  CrmConnector,
  DeliveryItemResult,
  RateLimitRule,
} from '../connectors/crm-connector';
import { isDestination } from '../connectors';
import { DeliverJob, QUEUES } from '../queue/queues';
import { TERMINAL_DELIVERY } from './delivery.entity';
import { DeliveryService } from './delivery.service';
import { RateLimiter, rateLimitKey } from '../connectors/shared/rate-limiter';
import { lingerMs } from './delivery-linger';

export const DELIVERY_CONCURRENCY = 8;

type Outcome = 'noop' | 'blocked' | 'parked' | 'skipped' | 'attempted';

// The row decides: an open earlier delivery of the order makes this wait (its completion wakes it).
@Processor(QUEUES.deliveries, { concurrency: DELIVERY_CONCURRENCY })
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    private readonly deliveries: DeliveryService,
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
    private readonly limiter: RateLimiter,
    @InjectMetric('vposhub_deliveries_total') private readonly outcomes: Counter<string>,
    @InjectMetric('vposhub_delivery_attempt_seconds') private readonly latency: Histogram<string>,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('error', (err) => this.logger.warn(`worker: ${err.message}`));
  }

  async process(job: Job<DeliverJob>, token?: string): Promise<Outcome> {
    const row = await this.deliveries.load(job.data.deliveryId);
    if (!row || TERMINAL_DELIVERY.includes(row.status) || row.status === 'parked') return 'noop';
    if (row.status === 'in_progress' && row.lockedUntil && row.lockedUntil > new Date())
      return 'noop';
    // A retry's own delayed job exists; an early duplicate simply ends.
    if (row.nextAttemptAt.getTime() > Date.now() + 1000) return 'noop';
    if (await this.deliveries.blocked(row.id)) return 'blocked';

    const connection = await this.connections.get(row.connectionId).catch(() => undefined);
    if (!connection || connection.status === 'disabled' || !isDestination(connection.type)) {
      await this.deliveries.setWithoutAttempt(row.id, 'skipped', 'connection removed or disabled');
      return 'skipped';
    }
    if (connection.status === 'needs_reconnect') {
      await this.deliveries.setWithoutAttempt(row.id, 'parked', 'connection needs reconnect');
      return 'parked';
    }
    const connector = this.registry.get(connection.type);
    const ctx = this.connections.context(connection);

    let batchSize = 1;
    let reserved: Reservation | undefined;
    try {
      const rule = connector.rateLimit(ctx);
      batchSize = connector.maxBatchSize(ctx);
      const ready = batchSize > 1 ? await this.deliveries.readyCount(connection.id, batchSize) : 1;
      // Reserved before the claim (for the rows ready now), so a backlogged call runs full-size.
      const cost = Math.max(
        1,
        Math.min(rule.capacity, connector.requestsPerCall?.(ctx, Math.max(1, ready)) ?? 1),
      );
      const key = rateLimitKey(connection);
      const { wait, left } = await this.limiter.takeWithLevel(key, rule, cost);
      if (wait > 0) {
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
      reserved = new Reservation(this.limiter, key, rule, cost);
      const linger = lingerMs(rule, left + cost, Date.now() - row.nextAttemptAt.getTime());
      if (ready < batchSize && linger > 0) {
        await reserved.cancel();
        await job.moveToDelayed(Date.now() + linger, token);
        throw new DelayedError();
      }
    } catch (err) {
      if (err instanceof DelayedError || !(err instanceof ConnectorError)) throw err;
      batchSize = 1;
    }

    const claimed = await this.deliveries
      .claimBatch(row.id, connection.id, batchSize)
      .catch(async (err: unknown) => {
        await reserved?.cancel();
        throw err;
      });
    if (claimed.length === 0) {
      // Another worker's batch took this row after it was read: the tokens bought nothing.
      await reserved?.cancel();
      return 'noop';
    }
    const items = claimed.map((c) => ({
      deliveryId: c.id,
      attempt: c.attempts,
      event: c.event,
      link: c.link,
    }));
    ctx.pace = () => reserved?.pace() ?? Promise.resolve();
    const started = process.hrtime.bigint();
    const lease = this.deliveries.keepLeased(claimed.map((c) => c.id));
    const results = await this.call(connector, ctx, items).finally(() => {
      lease.stop();
      return reserved?.settle();
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.latency.observe({ destination: connection.type }, seconds);
    const outcomes = await this.deliveries.complete(claimed, results, {
      connectionId: connection.id,
      destination: connection.type,
      durationMs: Math.round(seconds * 1000),
    });
    for (const o of outcomes)
      this.outcomes.inc({ destination: connection.type, outcome: o.status });
    return 'attempted';
  }

  private async call(
    connector: CrmConnector,
    ctx: ReturnType<ConnectionsService['context']>,
    items: Parameters<CrmConnector['deliver']>[1],
  ): Promise<DeliveryItemResult[]> {
    try {
      return await connector.deliver(ctx, items);
    } catch (err) {
      const error =
        err instanceof ConnectorError
          ? err
          : ConnectorError.from(connector.type, classifyHttpError(connector.type, err));
      return items.map((i) => ({ deliveryId: i.deliveryId, outcome: 'failed', error }));
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<DeliverJob> | undefined, err: Error): void {
    if (job) this.logger.warn(`delivery job ${job.id} failed: ${err.message}`);
  }
}

// `pace` spends reserved tokens before the limiter; `settle` returns unused ones, `cancel` all.
class Reservation {
  private spent = 0;
  private open = true;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly key: string,
    private readonly rule: RateLimitRule,
    private readonly reserved: number,
  ) {}

  async pace(): Promise<void> {
    this.spent++;
    if (this.spent > this.reserved) await this.limiter.acquire(this.key, this.rule);
  }

  settle(): Promise<void> {
    return this.giveBack(this.reserved - Math.max(1, this.spent));
  }

  cancel(): Promise<void> {
    return this.giveBack(this.reserved - this.spent);
  }

  private async giveBack(count: number): Promise<void> {
    if (!this.open) return;
    this.open = false;
    if (count > 0) await this.limiter.give(this.key, this.rule, count).catch(() => undefined);
  }
}
