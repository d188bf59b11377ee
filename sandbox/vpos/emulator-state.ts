/**
 * The emulator's in-memory state and its programmatic controls: sessions, the status machine,
 * events and their webhook deliveries. The HTTP layer (http-routes.ts) calls into this class.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  EmulatorEvent,
  EventDisposition,
  SendRawOptions,
  SetStatusOptions,
  SetStatusResult,
  VposEmulatorOptions,
  WebhookControl,
} from './emulator-types';
import {
  EmulatorError,
  buildEvent,
  canTransition,
  canonicalJson,
  isOpen,
  isPaymentStatus,
  parseCreateSessionBody,
  randomId,
  type PaymentStatus,
  type VposSession,
  type VposWebhookEvent,
} from './session-model';
import { assertUsableSecret, webhookHeaders, type SigningConfig } from './signing';
import {
  WebhookDispatcher,
  type DeliveryKind,
  type HttpResult,
  type WebhookDelivery,
} from './webhook-delivery';

interface StoredEvent {
  event: VposWebhookEvent;
  body: string;
  webhookId: string;
  sessionId: string;
  disposition: EventDisposition;
  duplicates: number;
}

export interface IdempotentResult {
  session: VposSession;
  replayed: boolean;
}

const MAX_DUPLICATES = 50;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function validateControl(control: WebhookControl | undefined): WebhookControl {
  const duplicates = control?.duplicates ?? 0;
  if (!Number.isSafeInteger(duplicates) || duplicates < 0 || duplicates > MAX_DUPLICATES) {
    const message = `webhook.duplicates must be an integer 0-${MAX_DUPLICATES}`;
    throw new EmulatorError(422, 'validation_error', message, 'webhook.duplicates');
  }
  return { ...control, duplicates };
}

export class EmulatorState {
  protected readonly dispatcher: WebhookDispatcher;
  /** Base of checkoutUrl; set once the server listens. */
  protected publicUrl = '';
  private readonly signing: SigningConfig;
  private readonly tokenDigest: Buffer;
  private webhookUrl: string | undefined;
  private sessions = new Map<string, VposSession>();
  private idempotency = new Map<string, { fingerprint: string; sessionId: string }>();
  private events: StoredEvent[] = [];
  private held: StoredEvent[] = [];
  private lookupFaults = { remaining: 0, status: 503 };
  private rateWindow = { startedAt: 0, count: 0 };

  constructor(protected readonly options: VposEmulatorOptions) {
    const scheme = options.signatureScheme ?? 'standard-webhooks';
    assertUsableSecret(scheme, options.webhookSecret);
    if (options.apiToken === '') throw new Error('apiToken must not be empty');
    if (options.webhookUrl !== undefined && !URL.canParse(options.webhookUrl)) {
      throw new Error(`invalid webhookUrl: ${options.webhookUrl}`);
    }
    this.signing = {
      scheme,
      secret: options.webhookSecret,
      hmacHeader: options.hmacHeader ?? 'x-vpos-signature',
      hmacEncoding: options.hmacEncoding ?? 'hex',
    };
    this.tokenDigest = sha256(options.apiToken);
    this.webhookUrl = options.webhookUrl;
    this.dispatcher = new WebhookDispatcher({
      webhookUrl: () => this.webhookUrl,
      signing: () => this.signing,
      retryDelaysMs: options.webhookRetryDelaysMs ?? [1000, 5000, 30000],
      requestTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    });
  }

  // ---- programmatic controls ----

  createSession(body: unknown): VposSession {
    const input = parseCreateSessionBody(body, Date.now());
    const now = new Date();
    const ttlMs = (this.options.defaultSessionTtlSeconds ?? 1800) * 1000;
    const id = randomId('ps');
    const session: VposSession = {
      id,
      status: 'created',
      merchantOrderId: input.merchantOrderId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      provider: input.provider,
      customer: input.customer,
      metadata: structuredClone(input.metadata),
      returnUrl: input.returnUrl,
      checkoutUrl: `${this.publicUrl}/checkout/${id}`,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt: input.expiresAt ?? new Date(now.getTime() + ttlMs).toISOString(),
    };
    this.sessions.set(id, session);
    return structuredClone(session);
  }

  getSession(id: string): VposSession | undefined {
    return this.sessions.has(id) ? this.readSession(id) : undefined;
  }

  listSessions(): VposSession[] {
    this.sweep();
    return structuredClone([...this.sessions.values()]);
  }

  setStatus(id: string, status: PaymentStatus, options: SetStatusOptions = {}): SetStatusResult {
    const session = this.requireSession(id);
    if (!isPaymentStatus(status)) {
      const message = `unknown status ${String(status)}`;
      throw new EmulatorError(422, 'validation_error', message, 'status');
    }
    if (!canTransition(session.status, status)) {
      const message = `cannot move a ${session.status} session to ${status}`;
      throw new EmulatorError(409, 'invalid_transition', message);
    }
    const control = validateControl(options.webhook);
    const refunded = this.refundAmount(session, status, options.refundedAmountMinor);
    const event = this.transition(session, status, refunded, control);
    return { session: structuredClone(session), event };
  }

  async flushHeld(options: { order?: 'fifo' | 'reverse' } = {}): Promise<EmulatorEvent[]> {
    const queue = options.order === 'reverse' ? [...this.held].reverse() : [...this.held];
    this.held = [];
    const flushed: EmulatorEvent[] = [];
    for (const stored of queue) {
      stored.disposition = 'sent';
      await this.deliver(stored, 'original');
      flushed.push(this.publicEvent(stored));
    }
    return flushed;
  }

  async sendEvent(eventId: string): Promise<WebhookDelivery> {
    const stored = this.events.find((e) => e.event.id === eventId);
    if (!stored) throw new EmulatorError(404, 'not_found', `event ${eventId} not found`);
    this.held = this.held.filter((e) => e !== stored);
    stored.disposition = 'sent';
    const [delivery] = await this.deliver(stored, 'resend');
    return delivery;
  }

  sendRaw(body: unknown, options: SendRawOptions = {}): Promise<HttpResult> {
    const url = this.webhookUrl;
    if (url === undefined) return Promise.reject(new Error('no webhook URL configured'));
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const message = {
      webhookId: options.webhookId ?? randomId('msg'),
      timestamp: options.timestamp ?? nowSeconds(),
      body: raw,
    };
    const signing = { ...this.signing, secret: options.secret ?? this.signing.secret };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'vpos-emulator/0.1',
      ...webhookHeaders(signing, message, options.sign ?? true),
    };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value === null) delete headers[name.toLowerCase()];
      else headers[name.toLowerCase()] = value;
    }
    return this.dispatcher.send(url, headers, raw);
  }

  setWebhookUrl(url: string | undefined): void {
    if (url !== undefined && !URL.canParse(url)) {
      throw new EmulatorError(422, 'validation_error', `invalid webhook URL: ${url}`, 'url');
    }
    this.webhookUrl = url;
  }

  getWebhookUrl(): string | undefined {
    return this.webhookUrl;
  }

  listEvents(): EmulatorEvent[] {
    return this.events.map((stored) => this.publicEvent(stored));
  }

  deliveryLog(): WebhookDelivery[] {
    return this.dispatcher.log();
  }

  failLookups(count: number, status = 503): void {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new EmulatorError(422, 'validation_error', 'count must be >= 0', 'lookupFailures');
    }
    if (!Number.isSafeInteger(status) || status < 400 || status > 599) {
      throw new EmulatorError(422, 'validation_error', 'status must be 400-599', 'status');
    }
    this.lookupFaults = { remaining: count, status };
  }

  waitForDeliveries(
    predicate?: (log: WebhookDelivery[]) => boolean,
    timeoutMs = 5000,
  ): Promise<WebhookDelivery[]> {
    return this.dispatcher.waitFor(predicate, timeoutMs);
  }

  reset(): void {
    this.dispatcher.clear();
    this.sessions = new Map();
    this.idempotency = new Map();
    this.events = [];
    this.held = [];
    this.lookupFaults = { remaining: 0, status: 503 };
    this.rateWindow = { startedAt: 0, count: 0 };
  }

  // ---- used by the HTTP layer ----

  /** Constant-time check of a presented bearer token. */
  tokenMatches(token: string): boolean {
    return timingSafeEqual(sha256(token), this.tokenDigest);
  }

  /** Counts a merchant request; returns the seconds to wait when over the limit, else 0. */
  rateLimitWait(): number {
    const limit = this.options.rateLimitPerSecond;
    if (limit === undefined || limit <= 0) return 0;
    const now = Date.now();
    if (now - this.rateWindow.startedAt >= 1000) this.rateWindow = { startedAt: now, count: 0 };
    this.rateWindow.count += 1;
    if (this.rateWindow.count <= limit) return 0;
    return Math.max(1, Math.ceil((this.rateWindow.startedAt + 1000 - now) / 1000));
  }

  /** Consumes one injected lookup failure; returns its HTTP status, or 0 when none is armed. */
  takeLookupFault(): number {
    if (this.lookupFaults.remaining === 0) return 0;
    this.lookupFaults.remaining -= 1;
    return this.lookupFaults.status;
  }

  lookupFaultState(): { lookupFailures: number; status: number } {
    return { lookupFailures: this.lookupFaults.remaining, status: this.lookupFaults.status };
  }

  /** The Idempotency-Key a session was created with over the API, if any. */
  idempotencyKeyOf(sessionId: string): string | undefined {
    for (const [key, entry] of this.idempotency) if (entry.sessionId === sessionId) return key;
    return undefined;
  }

  /** Creates a session once per Idempotency-Key; replays it for an identical body. */
  createIdempotent(key: string, body: unknown): IdempotentResult {
    const fingerprint = canonicalJson(body ?? null);
    const previous = this.idempotency.get(key);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        const message = 'Idempotency-Key was already used with a different request body';
        throw new EmulatorError(409, 'idempotency_key_reused', message);
      }
      const session = this.getSession(previous.sessionId);
      if (session) return { session, replayed: true };
    }
    const session = this.createSession(body);
    this.idempotency.set(key, { fingerprint, sessionId: session.id });
    return { session, replayed: false };
  }

  /** The session as an API read sees it (expired first when due); 404 when unknown. */
  readSession(id: string): VposSession {
    const session = this.requireSession(id);
    this.expireIfDue(session);
    return structuredClone(session);
  }

  /** Opening the checkout page moves created → pending. */
  openCheckout(id: string): VposSession {
    const session = this.requireSession(id);
    this.expireIfDue(session);
    if (session.status === 'created') this.transition(session, 'pending', undefined, {});
    return structuredClone(session);
  }

  /** A buyer's action on the checkout page; returns undefined when the session is not open. */
  checkoutAction(id: string, status: PaymentStatus): VposSession | undefined {
    const session = this.requireSession(id);
    this.expireIfDue(session);
    if (!isOpen(session.status)) return undefined;
    this.transition(session, status, undefined, {});
    return structuredClone(session);
  }

  /** Expires every open session past its expiresAt. */
  sweep(): void {
    for (const session of this.sessions.values()) this.expireIfDue(session);
  }

  // ---- status machine and events ----

  private requireSession(id: string): VposSession {
    const session = this.sessions.get(id);
    if (!session) throw new EmulatorError(404, 'not_found', `payment session ${id} not found`);
    return session;
  }

  private refundAmount(
    session: VposSession,
    status: PaymentStatus,
    requested: number | undefined,
  ): number | undefined {
    const field = 'refundedAmountMinor';
    const fail = (message: string): EmulatorError =>
      new EmulatorError(422, 'validation_error', message, field);
    if (requested !== undefined && !(Number.isSafeInteger(requested) && requested > 0)) {
      throw fail(`${field} must be a positive integer`);
    }
    if (status === 'refunded') {
      if (requested !== undefined && requested !== session.amountMinor) {
        throw fail(`${field} must equal amountMinor for a full refund`);
      }
      return session.amountMinor;
    }
    if (status === 'partially_refunded') {
      const already = session.refundedAmountMinor ?? 0;
      if (requested === undefined || requested <= already || requested >= session.amountMinor) {
        throw fail(`${field} (cumulative) must be above ${already} and below amountMinor`);
      }
      return requested;
    }
    return session.refundedAmountMinor;
  }

  private transition(
    session: VposSession,
    status: PaymentStatus,
    refundedAmountMinor: number | undefined,
    control: WebhookControl,
  ): EmulatorEvent {
    const now = new Date().toISOString();
    session.status = status;
    session.updatedAt = now;
    if (status === 'paid') session.paidAt = now;
    if (refundedAmountMinor !== undefined) session.refundedAmountMinor = refundedAmountMinor;
    return this.emit(session, now, control);
  }

  private expireIfDue(session: VposSession): void {
    if (isOpen(session.status) && Date.parse(session.expiresAt) <= Date.now()) {
      this.transition(session, 'expired', undefined, {});
    }
  }

  private emit(session: VposSession, createdAt: string, control: WebhookControl): EmulatorEvent {
    const event = buildEvent(session, createdAt);
    const stored: StoredEvent = {
      event,
      body: JSON.stringify(event),
      webhookId: randomId('msg'),
      sessionId: session.id,
      disposition: control.suppress ? 'suppressed' : control.hold ? 'held' : 'sent',
      duplicates: control.duplicates ?? 0,
    };
    this.events.push(stored);
    if (stored.disposition === 'held') this.held.push(stored);
    if (stored.disposition === 'sent') void this.deliver(stored, 'original').catch(() => undefined);
    return this.publicEvent(stored);
  }

  /** Sends an event (plus its duplicates on an original send); resolves after first attempts. */
  private deliver(stored: StoredEvent, kind: DeliveryKind): Promise<WebhookDelivery[]> {
    const message = {
      eventId: stored.event.id,
      eventType: stored.event.type,
      webhookId: stored.webhookId,
      body: stored.body,
    };
    const timestamp = nowSeconds();
    const copies = kind === 'original' ? stored.duplicates : 0;
    return Promise.all([
      this.dispatcher.dispatch(message, kind, timestamp),
      ...Array.from({ length: copies }, () =>
        this.dispatcher.dispatch(message, 'duplicate', timestamp),
      ),
    ]);
  }

  private publicEvent(stored: StoredEvent): EmulatorEvent {
    return {
      ...structuredClone(stored.event),
      webhookId: stored.webhookId,
      sessionId: stored.sessionId,
      disposition: stored.disposition,
      duplicates: stored.duplicates,
    };
  }
}
