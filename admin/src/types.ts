export interface Operator {
  id: string;
  email: string;
  name: string;
}
export interface Session {
  operator: Operator;
  csrfToken: string;
  expiresAt: string;
  timeZone?: string;
}
export interface PaymentRow {
  orderId: string;
  status: string;
  amountMinor: number | null;
  currency: string | null;
  customerPhone: string | null;
  inReview: boolean;
  createdAt: string;
}
export interface Totals {
  count: number;
  sums: Record<string, number>;
}
export interface Stats {
  timeZone: string;
  today: Totals;
  month: Totals;
  deliveries: Record<string, number>;
  reviews: Array<{ orderId: string; reason: string; openedAt: string }>;
}
export interface DeliveryRow {
  id: string;
  orderId?: string;
  eventId: string;
  connectionId: string;
  status: string;
  attempts: number;
  lastErrorKind: string | null;
  lastErrorCode: string | null;
  lastError: string | null;
  externalId: string | null;
  externalUrl: string | null;
  deliveredAt: string | null;
  updatedAt?: string;
}
export interface Attempt {
  id: string;
  attemptNo: number;
  provider: string;
  providerPaymentId: string | null;
  status: string;
  amountMinor: number | null;
  currency: string | null;
  statusChangedAt: string;
}
export interface Review {
  id: string;
  kind: string;
  reason: string;
  mismatches: unknown[];
  openedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  resolvedBy: string | null;
  evidence?: Record<string, unknown>;
  [key: string]: unknown;
}
export interface PaymentView {
  orderId: string;
  status: string;
  inReview: boolean;
  amountMinor: number | null;
  currency: string | null;
  customer: { phone: string | null; id: string | null };
  crm: Record<string, unknown>;
  createdAt: string;
  attempts: Attempt[];
  events: Array<Record<string, unknown>>;
  deliveries: DeliveryRow[];
  reviews: Review[];
}
export interface AuditRow {
  id: string;
  at: string;
  kind: string;
  actor: string;
  data: Record<string, unknown>;
}
export interface LinkView {
  id: string;
  orderId: string;
  status: string;
  url: string | null;
  expiresAt: string;
  amountMinor: number;
  currency: string;
  description: string | null;
  customer: { phone?: string | null };
  createdAt: string;
  whatsapp: { text: string; url: string };
}
export interface Product {
  id: string;
  name?: string;
  title?: string;
  amountMinor: number;
  currency: string;
  [key: string]: unknown;
}
export interface ConnectionView {
  id: string;
  type: string;
  displayName: string;
  mode: string;
  account: Record<string, unknown>;
  status: 'active' | 'needs_reconnect' | 'disabled';
  statusReason: string | null;
  settings: Record<string, unknown>;
  hasCredentials: boolean;
}
