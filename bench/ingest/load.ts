/**
 * The load generator: freshly signed, distinct VPOS webhooks sent over keep-alive connections,
 * either closed-loop (fixed concurrency, as fast as the hub answers) or open-loop (fixed arrival
 * rate, latency measured from each request's scheduled send time so a stalled hub cannot hide
 * its queueing delay: no coordinated omission).
 *
 * Kept cheap on purpose: it shares the machine's cores with the hub and PostgreSQL. Bodies and
 * signatures are made in batches with one pre-decoded HMAC key, responses are only scanned for
 * the `accepted` status, and all samples go to preallocated Float64Arrays.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Samples } from './stats';

export interface Target {
  host: string;
  port: number;
  path: string;
}

export interface SignedWebhook {
  eventId: string;
  body: Buffer;
  headers: http.OutgoingHttpHeaders;
}

/** Standard Webhooks key bytes: base64 after `whsec_`. */
export function decodeSecret(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/** `v1,<base64 HMAC-SHA256(key, "{id}.{ts}.{body}")>` */
export function signStandard(key: Buffer, id: string, ts: number, body: Buffer): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest('base64')}`;
}

const STATUSES = ['paid', 'paid', 'paid', 'failed', 'cancelled'] as const;

/** Makes distinct, signed `payment.*` webhooks (~330 bytes each) in batches. */
export class WebhookFactory {
  readonly runId = randomBytes(4).toString('hex');
  private readonly key: Buffer;
  private seq = 0;
  private ready: SignedWebhook[] = [];

  constructor(
    secret: string,
    private readonly batchSize = 256,
  ) {
    this.key = decodeSecret(secret);
  }

  /** Events made so far (sent or not). */
  get made(): number {
    return this.seq;
  }

  /** Prefix shared by every provider event id of this run (for counting rows afterwards). */
  get eventIdPrefix(): string {
    return `evt_bench_${this.runId}_`;
  }

  next(): SignedWebhook {
    if (this.ready.length === 0) this.refill();
    return this.ready.pop() as SignedWebhook;
  }

  /** Signs with the current time; a batch is used up within a second even at 500 req/s. */
  private refill(): void {
    const now = Date.now();
    const ts = Math.floor(now / 1000);
    const createdAt = new Date(now).toISOString();
    const batch: SignedWebhook[] = new Array<SignedWebhook>(this.batchSize);
    for (let i = this.batchSize - 1; i >= 0; i--) {
      const n = ++this.seq;
      const eventId = `${this.eventIdPrefix}${n}`;
      const status = STATUSES[n % STATUSES.length];
      const body = Buffer.from(
        JSON.stringify({
          id: eventId,
          type: `payment.${status}`,
          createdAt,
          data: {
            id: `ps_${this.runId}${n.toString(36).padStart(8, '0')}`,
            merchantOrderId: `ord-${this.runId}-${n}`,
            amountMinor: 125000 + (n % 1000) * 100,
            currency: 'AMD',
            status,
            customer: { phone: `+374${String(91000000 + (n % 8999999))}` },
            metadata: { crm: 'bitrix24', customerId: `cus_${n % 50000}` },
          },
        }),
        'utf8',
      );
      const webhookId = `msg_${this.runId}_${n}`;
      batch[i] = {
        eventId,
        body,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'user-agent': 'vpos-hub-bench/1',
          'webhook-id': webhookId,
          'webhook-timestamp': ts,
          'webhook-signature': signStandard(this.key, webhookId, ts, body),
        },
      };
    }
    this.ready = batch;
  }
}

/** What one request ended as: an HTTP status, or 0 with a network error code. */
export interface Outcome {
  status: number;
  accepted: boolean;
  error?: string;
  body?: string;
}

export function newAgent(maxSockets: number): http.Agent {
  return new http.Agent({
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxSockets,
    maxFreeSockets: maxSockets,
    scheduling: 'lifo',
    noDelay: true,
  });
}

const ACCEPTED = '"status":"accepted"';
let accepted = 0;

/** Webhooks the hub acknowledged as newly stored, over the whole run (all phases). */
export function acceptedTotal(): number {
  return accepted;
}

/** One POST; `done` is called exactly once. Callback style: no promise per request. */
export function postWebhook(
  agent: http.Agent,
  target: Target,
  hook: SignedWebhook,
  timeoutMs: number,
  done: (outcome: Outcome) => void,
): void {
  let finished = false;
  const finish = (outcome: Outcome) => {
    if (finished) return;
    finished = true;
    if (outcome.accepted) accepted++;
    done(outcome);
  };
  const req = http.request(
    {
      agent,
      host: target.host,
      port: target.port,
      path: target.path,
      method: 'POST',
      headers: hook.headers,
    },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < 2048) text += chunk;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        finish({ status, accepted: ok && text.includes(ACCEPTED), body: ok ? undefined : text });
      });
      res.on('error', (err: NodeJS.ErrnoException) =>
        finish({ status: 0, accepted: false, error: err.code ?? err.message }),
      );
    },
  );
  req.setTimeout(timeoutMs, () =>
    req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
  );
  req.on('error', (err: NodeJS.ErrnoException) =>
    finish({ status: 0, accepted: false, error: err.code ?? err.message }),
  );
  req.end(hook.body);
}

/** Counts of everything that was not a fresh 2xx `accepted`. */
export class OutcomeTally {
  ok = 0;
  /** 2xx but not `accepted` (a duplicate: should never happen, every event is new). */
  notAccepted = 0;
  errors = 0;
  readonly byKind = new Map<string, number>();
  readonly samples: string[] = [];

  add(o: Outcome): void {
    if (o.status >= 200 && o.status < 300) {
      this.ok++;
      if (!o.accepted) this.notAccepted++;
      return;
    }
    this.errors++;
    const kind = o.status ? `HTTP ${o.status}` : (o.error ?? 'error');
    const seen = this.byKind.get(kind) ?? 0;
    this.byKind.set(kind, seen + 1);
    // One sample body per HTTP status (network errors have none), at most three.
    if (seen === 0 && o.body && this.samples.length < 3) {
      this.samples.push(`${kind}: ${o.body.slice(0, 300)}`);
    }
  }

  describe(): string {
    if (this.errors === 0) return '0';
    const kinds = [...this.byKind].map(([k, n]) => `${k} x${n.toLocaleString('en-US')}`);
    return `${this.errors.toLocaleString('en-US')} (${kinds.join(', ')})`;
  }
}

export interface ClosedLoopResult {
  concurrency: number;
  seconds: number;
  /** Requests completed inside the measured window. */
  completed: number;
  throughput: number;
  /** Of `completed`: the 2xx ones per second. */
  okThroughput: number;
  tally: OutcomeTally;
  /** Completions during the warm-up or after the window (errors there are reported too). */
  outside: OutcomeTally;
  /** Service time under saturation (request start to response end), ms. */
  latency: Samples;
  /** Requests still unanswered when the drain timed out. */
  stuck: number;
}

/**
 * `concurrency` callers, each sending the next webhook as soon as the previous one is answered,
 * for warm-up + measured seconds. Only completions inside the measured window count.
 */
export function closedLoop(
  target: Target,
  factory: WebhookFactory,
  opts: { concurrency: number; warmupMs: number; durationMs: number; timeoutMs: number },
): Promise<ClosedLoopResult> {
  const agent = newAgent(opts.concurrency);
  const tally = new OutcomeTally();
  const outside = new OutcomeTally();
  const latency = new Samples(1 << 16);
  const t0 = performance.now();
  const windowStart = t0 + opts.warmupMs;
  const windowEnd = windowStart + opts.durationMs;
  let completed = 0;
  let inFlight = 0;

  return new Promise((resolve) => {
    let settled = false;
    const finish = (stuck: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      agent.destroy();
      resolve({
        concurrency: opts.concurrency,
        seconds: opts.durationMs / 1000,
        completed,
        throughput: completed / (opts.durationMs / 1000),
        okThroughput: tally.ok / (opts.durationMs / 1000),
        tally,
        outside,
        latency,
        stuck,
      });
    };
    // Stop waiting for stragglers a little after the last request's own timeout.
    const drainTimer = setTimeout(
      () => finish(inFlight),
      opts.warmupMs + opts.durationMs + opts.timeoutMs + 2000,
    );

    const loop = () => {
      const started = performance.now();
      if (started >= windowEnd) {
        if (--inFlight === 0) finish(0);
        return;
      }
      postWebhook(agent, target, factory.next(), opts.timeoutMs, (outcome) => {
        const ended = performance.now();
        if (ended >= windowStart && ended < windowEnd) {
          completed++;
          tally.add(outcome);
          latency.add(ended - started);
        } else {
          outside.add(outcome);
        }
        loop();
      });
    };
    inFlight = opts.concurrency;
    for (let i = 0; i < opts.concurrency; i++) loop();
  });
}

export interface OpenLoopResult {
  rate: number;
  seconds: number;
  scheduled: number;
  completed: number;
  /** 2xx answers per second, first scheduled send to last response. */
  achievedRate: number;
  tally: OutcomeTally;
  /** Response end minus *scheduled* send time, ms (every completed request). */
  latency: Samples;
  /** How late the generator itself was in sending, ms (its own health check). */
  sendLag: Samples;
  /** Requests still unanswered when the drain timed out. */
  stuck: number;
  /** Largest number of requests in flight at once. */
  maxInFlight: number;
}

/**
 * Sends at a fixed arrival rate regardless of how fast the hub answers (up to `maxSockets`
 * connections; beyond that requests queue in the client and that wait counts as latency).
 */
export function openLoop(
  target: Target,
  factory: WebhookFactory,
  opts: { rate: number; durationMs: number; timeoutMs: number; maxSockets: number },
): Promise<OpenLoopResult> {
  const agent = newAgent(opts.maxSockets);
  const tally = new OutcomeTally();
  const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const latency = new Samples(total);
  const sendLag = new Samples(total);
  const interval = 1000 / opts.rate;
  const start = performance.now() + 5;
  let sent = 0;
  let completed = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let lastEnd = start;

  return new Promise((resolve) => {
    let settled = false;
    let tickTimer: NodeJS.Timeout | undefined;
    const finish = (stuck: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      if (tickTimer) clearTimeout(tickTimer);
      agent.destroy();
      const span = Math.max(lastEnd - start, 1);
      resolve({
        rate: opts.rate,
        seconds: opts.durationMs / 1000,
        scheduled: total,
        completed,
        achievedRate: tally.ok / (span / 1000),
        tally,
        latency,
        sendLag,
        stuck,
        maxInFlight,
      });
    };
    const drainTimer = setTimeout(
      () => finish(total - completed),
      opts.durationMs + opts.timeoutMs + 2000,
    );

    const sendOne = (scheduledAt: number) => {
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      sendLag.add(performance.now() - scheduledAt);
      postWebhook(agent, target, factory.next(), opts.timeoutMs, (outcome) => {
        const ended = performance.now();
        inFlight--;
        completed++;
        lastEnd = ended;
        tally.add(outcome);
        latency.add(ended - scheduledAt);
        if (completed === total) finish(0);
      });
    };

    const tick = () => {
      tickTimer = undefined;
      const now = performance.now();
      // Everything due by now goes out now, each stamped with its own scheduled time.
      const due = Math.min(total, Math.floor((now - start) / interval) + 1);
      while (sent < due) sendOne(start + sent++ * interval);
      if (sent < total) {
        const nextAt = start + sent * interval;
        tickTimer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
      }
    };
    tickTimer = setTimeout(tick, 5);
  });
}
