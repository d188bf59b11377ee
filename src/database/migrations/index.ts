import { PaymentJournal1764000000000 } from './1764000000000-payment-journal';

/** Every migration, oldest first. Never edit one that has landed; add a new one. */
export const MIGRATIONS = [PaymentJournal1764000000000];
