import { Global, Module } from '@nestjs/common';
import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import { MetricsController } from './metrics.controller';

const METRICS = [
  makeCounterProvider({
    name: 'vposhub_webhooks_received_total',
    help: 'VPOS webhook requests by result',
    labelNames: ['result'],
  }),
  makeHistogramProvider({
    name: 'vposhub_webhook_ack_seconds',
    help: 'Time spent storing a verified webhook (signature check to commit)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  }),
  makeCounterProvider({
    name: 'vposhub_verifications_total',
    help: 'Webhook verifications by outcome',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({
    name: 'vposhub_payment_transitions_total',
    help: 'Payment attempt status transitions',
    labelNames: ['from', 'to', 'action'],
  }),
  makeCounterProvider({
    name: 'vposhub_deliveries_total',
    help: 'Delivery attempts by destination and resulting status',
    labelNames: ['destination', 'outcome'],
  }),
  makeHistogramProvider({
    name: 'vposhub_delivery_attempt_seconds',
    help: 'Connector call latency per attempt (a batch counts once)',
    labelNames: ['destination'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
  makeGaugeProvider({
    name: 'vposhub_delivery_queue_depth',
    help: 'Delivery jobs in BullMQ by state (sampled by the sweeper)',
    labelNames: ['state'],
  }),
  makeGaugeProvider({
    name: 'vposhub_delivery_oldest_open_seconds',
    help: 'Age of the oldest unfinished delivery',
  }),
  makeCounterProvider({
    name: 'vposhub_token_refreshes_total',
    help: 'OAuth token refreshes by provider and outcome (refreshed, auth, retryable, permanent)',
    labelNames: ['provider', 'outcome'],
  }),
  makeCounterProvider({
    name: 'vposhub_outbox_published_total',
    help: 'Outbox rows moved to BullMQ',
  }),
  makeGaugeProvider({
    name: 'vposhub_outbox_pending',
    help: 'Outbox rows not yet published (sampled when the relay is idle)',
  }),
];

@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true },
    }),
  ],
  providers: METRICS,
  exports: METRICS,
})
export class MetricsModule {}
