import { AuditEntry } from '../audit/audit-entry.entity';
import { PaymentAttempt } from '../payments/payment-attempt.entity';
import { PaymentEventRow } from '../payments/payment-event.entity';
import { PaymentOrder } from '../payments/payment-order.entity';
import { WebhookEvent } from '../webhooks/webhook-event.entity';

export const ENTITIES = [WebhookEvent, PaymentOrder, PaymentAttempt, PaymentEventRow, AuditEntry];
