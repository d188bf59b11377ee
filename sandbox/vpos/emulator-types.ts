/** Public types of the VPOS emulator: options, controls and the running emulator's interface. */
import type { PaymentStatus, VposSession, VposWebhookEvent } from './session-model';
import type { HmacEncoding, SignatureScheme } from './signing';
import type { HttpResult, WebhookDelivery } from './webhook-delivery';

export interface VposEmulatorOptions {
  port?: number;
  /** Merchant bearer token accepted on /v1/*. */
  apiToken: string;
  /** Where webhooks are POSTed; may be set or changed later with setWebhookUrl(). */
  webhookUrl?: string;
  /** `whsec_<base64>` for standard-webhooks; any string for hmac-sha256. */
  webhookSecret: string;
  signatureScheme?: SignatureScheme;
  hmacHeader?: string;
  hmacEncoding?: HmacEncoding;
  /** Base of checkoutUrl; defaults to the emulator's own URL. */
  publicUrl?: string;
  /** Delays between delivery attempts; default [1000, 5000, 30000]. */
  webhookRetryDelaysMs?: number[];
  /** Timeout of one delivery attempt; default 10000. */
  webhookTimeoutMs?: number;
  defaultSessionTtlSeconds?: number;
  /** Requests per second on /v1/*; above it 429 with Retry-After. */
  rateLimitPerSecond?: number;
  /** How often open sessions past expiresAt are expired; default 1000. */
  expirySweepIntervalMs?: number;
}

export interface WebhookControl {
  /** Record the event but never send it (a missed webhook). */
  suppress?: boolean;
  /** Send the identical request this many extra times, concurrently. */
  duplicates?: number;
  /** Queue the event until flushHeld(). */
  hold?: boolean;
}

export interface SetStatusOptions {
  /** Cumulative refunded amount; required for partially_refunded. */
  refundedAmountMinor?: number;
  webhook?: WebhookControl;
}

export type EventDisposition = 'sent' | 'suppressed' | 'held';

export interface EmulatorEvent extends VposWebhookEvent {
  /** The `webhook-id` header, the same on every retry and duplicate. */
  webhookId: string;
  sessionId: string;
  disposition: EventDisposition;
  duplicates: number;
}

export interface SetStatusResult {
  session: VposSession;
  event: EmulatorEvent;
}

export interface SendRawOptions {
  /** Extra headers, applied last; a `null` value removes a header. */
  headers?: Record<string, string | null>;
  /** Default true. */
  sign?: boolean;
  /** Sign with this secret instead of the configured one. */
  secret?: string;
  /** Unix seconds used as webhook-timestamp and in the signature. */
  timestamp?: number;
  webhookId?: string;
}

export interface VposEmulator {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  createSession(body: unknown): VposSession;
  getSession(id: string): VposSession | undefined;
  listSessions(): VposSession[];
  /** The Idempotency-Key a session was created with over the API, if any. */
  idempotencyKeyOf(sessionId: string): string | undefined;
  setStatus(id: string, status: PaymentStatus, options?: SetStatusOptions): SetStatusResult;
  flushHeld(options?: { order?: 'fifo' | 'reverse' }): Promise<EmulatorEvent[]>;
  sendEvent(eventId: string): Promise<WebhookDelivery>;
  sendRaw(body: unknown, options?: SendRawOptions): Promise<HttpResult>;
  setWebhookUrl(url: string | undefined): void;
  listEvents(): EmulatorEvent[];
  deliveryLog(): WebhookDelivery[];
  failLookups(count: number, status?: number): void;
  waitForDeliveries(
    predicate?: (log: WebhookDelivery[]) => boolean,
    timeoutMs?: number,
  ): Promise<WebhookDelivery[]>;
  reset(): void;
}
