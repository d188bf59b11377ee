import { AuditEntry } from '../audit/audit-entry.entity';
import { Connection } from '../connections/connection.entity';
import { CrmEntity } from '../connectors/shared/crm-entity.entity';
import { Delivery } from '../delivery/delivery.entity';
import { PaymentAttempt } from '../payments/payment-attempt.entity';
import { PaymentEventRow } from '../payments/payment-event.entity';
import { PaymentLink } from '../payment-links/payment-link.entity';
import { PaymentOrder } from '../payments/payment-order.entity';
import { Operator } from '../operators/operator.entity';
import { OperatorSession } from '../operators/operator-session.entity';
import { Product } from '../payment-links/product.entity';
import { WebhookEvent } from '../webhooks/webhook-event.entity';

export const ENTITIES = [
  WebhookEvent,
  PaymentOrder,
  PaymentAttempt,
  PaymentEventRow,
  AuditEntry,
  Connection,
  Delivery,
  PaymentLink,
  Product,
  CrmEntity,
  Operator,
  OperatorSession,
];
