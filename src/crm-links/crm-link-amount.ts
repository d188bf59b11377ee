import type { EntitySnapshot, LinkTriggerView } from '../connectors/shared/link-source';
import { MAX_AMOUNT_MINOR } from '../payment-links/payment-links.dto';
import type { Refusal } from './crm-link-text';

export interface LinkAmount {
  amountMinor: number;
  currency: string;
}

export function linkAmount(
  snap: Pick<EntitySnapshot, 'amount' | 'currency'>,
  trigger: LinkTriggerView,
  accepted: readonly string[],
  exponentOf: (currency: string) => number,
): LinkAmount | Refusal {
  const amount = snap.amount?.trim() ?? '';
  if (!/^\d{1,15}(\.\d{1,8})?$/.test(amount) || Number(amount) <= 0) return { kind: 'no_amount' };
  const currency = (snap.currency ?? '').toUpperCase();
  if (!accepted.includes(currency)) {
    return { kind: 'currency', currency: currency || '?', accepted: [...accepted] };
  }
  const exponent = exponentOf(currency);
  const amountMinor = Math.round(Number(amount) * 10 ** exponent);
  if (amountMinor < 1) return { kind: 'no_amount' };
  const limit = trigger.maxAmount;
  if ((limit !== undefined && Number(amount) > limit) || amountMinor > MAX_AMOUNT_MINOR) {
    const shown = limit ?? MAX_AMOUNT_MINOR / 10 ** exponent;
    return {
      kind: 'ceiling',
      amount: `${amount} ${currency}`,
      limit: `${shown.toFixed(exponent)} ${currency}`,
    };
  }
  return { amountMinor, currency };
}

export function isRefusal(value: LinkAmount | Refusal): value is Refusal {
  return 'kind' in value;
}
