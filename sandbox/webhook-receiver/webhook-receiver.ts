import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A merchant endpoint for the hub's generic webhook destination, used by tests and benchmarks:
 * it applies each idempotency key once, can enforce a leaky bucket (like a CRM portal), and
 * fails on demand. Written from the destination's contract, not from the hub's client.
 */

export interface ReceivedEvent {
  idempotencyKey: string;
  event: { id: string; orderId: string; type: string; [k: string]: unknown };
}

export interface LeakyBucket {
  /** Requests above this level are refused. */
  capacity: number;
  /** Level drained per second. */
  drainPerSecond: number;
  /** Status for refused requests; default 503 (Bitrix24's QUERY_LIMIT_EXCEEDED). */
  status?: number;
}

export interface Fault {
  status: number;
  body?: string;
  retryAfterSeconds?: number;
}

export interface ReceiverOptions {
  port?: number;
  bucket?: LeakyBucket;
  /** Called after the events are applied and before the answer is sent. */
  beforeRespond?: (events: ReceivedEvent[]) => void | Promise<void>;
  /** Delay before answering, ms. */
  latencyMs?: number;
}

export interface ReceiverStats {
  requests: number;
  rateLimited: number;
  faults: number;
  /** Items received whose key had already been applied. */
  duplicates: number;
  maxBatch: number;
}

export class WebhookReceiver {
  readonly applied = new Map<string, ReceivedEvent>();
  /** Every applied event in arrival order. */
  readonly log: ReceivedEvent[] = [];
  readonly stats: ReceiverStats = {
    requests: 0,
    rateLimited: 0,
    faults: 0,
    duplicates: 0,
    maxBatch: 0,
  };
  private faults: Fault[] = [];
  private authFailing = false;
  private level = 0;
  private levelAt = Date.now();
  private server?: Server;
  url = '';

  constructor(private readonly opts: ReceiverOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) =>
      this.server!.listen(this.opts.port ?? 0, '127.0.0.1', resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/hooks/payments`;
    return this;
  }

  get hostPort(): string {
    return new URL(this.url).host;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** The next `count` requests answer with this fault (and apply nothing). */
  failNext(count: number, fault: Fault): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  /** While on, every request answers 401 (revoked credentials). */
  setAuthFailing(on: boolean): void {
    this.authFailing = on;
  }

  setBeforeRespond(fn: ReceiverOptions['beforeRespond']): void {
    this.opts.beforeRespond = fn;
  }

  eventsFor(orderId: string): ReceivedEvent[] {
    return this.log.filter((e) => e.event.orderId === orderId);
  }

  private overBucket(): boolean {
    const b = this.opts.bucket;
    if (!b) return false;
    const now = Date.now();
    this.level = Math.max(0, this.level - ((now - this.levelAt) / 1000) * b.drainPerSecond);
    this.levelAt = now;
    if (this.level + 1 > b.capacity) return true;
    this.level += 1;
    return false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.stats.requests++;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (this.overBucket()) {
      this.stats.rateLimited++;
      return send(this.opts.bucket?.status ?? 503, {
        error: 'QUERY_LIMIT_EXCEEDED',
        error_description: 'Too many requests',
      });
    }
    if (this.authFailing) return send(401, { error: 'invalid_token' });
    const fault = this.faults.shift();
    if (fault) {
      this.stats.faults++;
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined
          ? { 'retry-after': String(fault.retryAfterSeconds) }
          : {};
      return send(fault.status, fault.body ?? { error: `fault ${fault.status}` }, headers);
    }
    let body: { events?: ReceivedEvent[] };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events?: ReceivedEvent[] };
    } catch {
      return send(400, { error: 'malformed JSON' });
    }
    const events = body.events ?? [];
    this.stats.maxBatch = Math.max(this.stats.maxBatch, events.length);
    const results = events.map((item) => {
      if (this.applied.has(item.idempotencyKey)) {
        this.stats.duplicates++;
      } else {
        this.applied.set(item.idempotencyKey, item);
        this.log.push(item);
      }
      return { idempotencyKey: item.idempotencyKey, id: `rec-${item.event.id.slice(0, 8)}` };
    });
    await this.opts.beforeRespond?.(events);
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    if (!res.destroyed) send(200, { results });
  }
}
