import { PaymentJournal1764000000000 } from './1764000000000-payment-journal';
import { DeliveryEngine1764100000000 } from './1764100000000-delivery-engine';
import { PaymentLinks1764200000000 } from './1764200000000-payment-links';
import { OauthStates1764300000000 } from './1764300000000-oauth-states';
import { CrmEntities1764400000000 } from './1764400000000-crm-entities';
import { PaymentReviews1764420000000 } from './1764420000000-payment-reviews';
import { Reconciliation1764500000000 } from './1764500000000-reconciliation';
import { Operators1764600000000 } from './1764600000000-operators';
import { CrmLinks1764700000000 } from './1764700000000-crm-links';
import { OutboxNotify1764800000000 } from './1764800000000-outbox-notify';
import { OperatorDisabled1764900000000 } from './1764900000000-operator-disabled';
import { CrmCreates1765000000000 } from './1765000000000-crm-creates';

// Never edit a migration that has landed; add a new one.
export const MIGRATIONS = [
  PaymentJournal1764000000000,
  DeliveryEngine1764100000000,
  PaymentLinks1764200000000,
  OauthStates1764300000000,
  CrmEntities1764400000000,
  PaymentReviews1764420000000,
  Reconciliation1764500000000,
  Operators1764600000000,
  CrmLinks1764700000000,
  OutboxNotify1764800000000,
  OperatorDisabled1764900000000,
  CrmCreates1765000000000,
];
