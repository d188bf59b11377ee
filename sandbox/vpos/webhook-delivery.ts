/**
 * Outgoing webhook deliveries: one POST per attempt, retries after each configured delay on a
 * non-2xx answer or a network error, and a log of every delivery and attempt.
 */
import http from 'node:http';
import https from 'node:https';
import { randomId } from './session-model';
import { webhookHeaders, type SigningConfig } from './signing';

export type DeliveryKind = 'original' | 'duplicate' | 'resend';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The `webhook-timestamp` sent with this attempt (unix seconds). */
  timestamp: number;
  statusCode?: number;
  error?: string;
  durationMs: number;
  responseBody?: string;
}

export interface WebhookDelivery {
  id: string;
  kind: DeliveryKind;
  eventId: string;
  eventType: string;
  webhookId: string;
  url: string | null;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: string;
  completedAt?: string;
  /** Why the delivery ended without an attempt answering 2xx (cancelled, no URL). */
  error?: string;
}

export interface OutgoingWebhook {
  eventId: string;
  eventType: string;
  webhookId: string;
  body: string;
}

export interface HttpResult {
  status: number;
  body: string;
}

export interface DispatcherOptions {
  webhookUrl: () => string | undefined;
  signing: () => SigningConfig;
  retryDelaysMs: readonly number[];
  requestTimeoutMs: number;
}

const MAX_LOGGED_BODY = 2000;

/** POSTs a body without keep-alive (no sockets outlive the request). */
export function postBody(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const req = transport.request(
      target,
      {
        method: 'POST',
        agent: false,
        signal,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

interface Waiter {
  check: () => void;
  fail: (error: Error) => void;
}

export class WebhookDispatcher {
  private deliveries: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly options: DispatcherOptions) {}

  /** Starts a delivery; resolves with a snapshot once its first attempt has finished. */
  async dispatch(
    message: OutgoingWebhook,
    kind: DeliveryKind,
    firstTimestamp?: number,
  ): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = {
      id: randomId('dlv'),
      kind,
      eventId: message.eventId,
      eventType: message.eventType,
      webhookId: message.webhookId,
      url: this.options.webhookUrl() ?? null,
      status: 'pending',
      attempts: [],
      createdAt: new Date().toISOString(),
    };
    this.deliveries.push(delivery);
    this.notify();
    await this.attempt(delivery, message, 0, firstTimestamp);
    return structuredClone(delivery);
  }

  /** Sends one request with the given headers, outside the delivery log and without retries. */
  async send(url: string, headers: Record<string, string>, body: string): Promise<HttpResult> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      return await postBody(url, headers, body, this.options.requestTimeoutMs, controller.signal);
    } finally {
      this.inFlight.delete(controller);
    }
  }

  log(): WebhookDelivery[] {
    return structuredClone(this.deliveries);
  }

  outstanding(): number {
    return this.deliveries.filter((d) => d.status === 'pending').length;
  }

  /**
   * Resolves with the log when `predicate(log)` holds, or (without a predicate) when no delivery is
   * pending any more, retries included.
   */
  waitFor(
    predicate: ((log: WebhookDelivery[]) => boolean) | undefined,
    timeoutMs: number,
  ): Promise<WebhookDelivery[]> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          const log = this.log();
          const done = predicate ? predicate(log) : this.outstanding() === 0;
          if (done) finish(() => resolve(log));
        },
        fail: (error) => finish(() => reject(error)),
      };
      const timer = setTimeout(() => {
        waiter.fail(
          new Error(
            `waitForDeliveries timed out after ${timeoutMs} ms (${this.outstanding()} outstanding)`,
          ),
        );
      }, timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        settle();
      };
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  /** Stops retries and in-flight requests; pending deliveries end as failed. */
  cancelAll(reason: string): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    for (const delivery of this.deliveries) {
      if (delivery.status === 'pending') this.complete(delivery, 'failed', reason);
    }
    this.notify();
  }

  clear(): void {
    this.cancelAll('reset');
    this.deliveries = [];
    this.notify();
  }

  /** Cancels everything and rejects the remaining waiters. */
  shutdown(): void {
    this.cancelAll('emulator closed');
    for (const waiter of [...this.waiters]) waiter.fail(new Error('emulator closed'));
  }

  private async attempt(
    delivery: WebhookDelivery,
    message: OutgoingWebhook,
    index: number,
    fixedTimestamp?: number,
  ): Promise<void> {
    if (delivery.status !== 'pending') return;
    const url = this.options.webhookUrl();
    const startedAt = Date.now();
    const timestamp = fixedTimestamp ?? Math.floor(startedAt / 1000);
    const record: DeliveryAttempt = {
      attempt: index + 1,
      at: new Date(startedAt).toISOString(),
      timestamp,
      durationMs: 0,
    };
    if (url === undefined) {
      this.complete(delivery, 'failed', 'no webhook URL configured');
      return;
    }
    delivery.url = url;
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'vpos-emulator/0.1',
      ...webhookHeaders(this.options.signing(), { ...message, timestamp }),
    };
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      const result = await postBody(
        url,
        headers,
        message.body,
        this.options.requestTimeoutMs,
        controller.signal,
      );
      record.statusCode = result.status;
      record.responseBody = result.body.slice(0, MAX_LOGGED_BODY);
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.inFlight.delete(controller);
    }
    if (delivery.status !== 'pending') return; // cancelled while in flight
    record.durationMs = Date.now() - startedAt;
    delivery.attempts.push(record);
    const status = record.statusCode;
    if (status !== undefined && status >= 200 && status < 300) {
      this.complete(delivery, 'delivered');
      return;
    }
    const delay = this.options.retryDelaysMs[index];
    if (delay === undefined) {
      this.complete(delivery, 'failed');
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(delivery, message, index + 1);
    }, delay);
    this.timers.add(timer);
    this.notify();
  }

  private complete(delivery: WebhookDelivery, status: DeliveryStatus, error?: string): void {
    delivery.status = status;
    delivery.completedAt = new Date().toISOString();
    if (error !== undefined) delivery.error = error;
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }
}
