import type { PaymentEventV1 } from '../../payments/payment-event';
import type { DeliveryLink } from '../crm-connector';
import type { SheetColumn } from './google-sheets.settings';

/** What a cell may hold; `null` leaves the cell as it is (Sheets skips null values). */
export type Cell = string | number | null;

export interface RowInput {
  event: PaymentEventV1;
  link: DeliveryLink | null;
  exponent: number;
  timeZone: string;
  bitrix24Deal?: string;
  amocrmLead?: string;
}

// RAW input: a text such as "=IMPORTXML(…)" stays text, never a formula; null cells keep their value.
export function rowValues(columns: readonly SheetColumn[], input: RowInput): Cell[] {
  return columns.map((c) => cellValue(c, input));
}

function cellValue(column: SheetColumn, { event, link, exponent, timeZone, ...crm }: RowInput) {
  switch (column) {
    case 'orderId':
      return event.orderId;
    case 'status':
      return event.orderStatus;
    case 'amount':
      return event.amountMinor === null ? null : majorUnits(event.amountMinor, exponent);
    case 'currency':
      return event.currency;
    case 'customerPhone':
      return event.customer.phone;
    case 'customerId':
      return event.customer.id;
    case 'description':
      return link?.description ?? null;
    case 'paidAt':
      return event.type === 'paid' ? isoInZone(new Date(event.occurredAt), timeZone) : null;
    case 'providerReference':
      return event.providerPaymentId;
    case 'paymentLink':
      return link?.url ?? null;
    case 'bitrix24Deal':
      return crm.bitrix24Deal ?? event.crm?.bitrix24DealId ?? null;
    case 'amocrmLead':
      return crm.amocrmLead ?? event.crm?.amocrmLeadId ?? null;
    case 'updatedAt':
      return isoInZone(new Date(event.verifiedAt), timeZone);
  }
}

export function majorUnits(amountMinor: number, exponent: number): number {
  return Number((amountMinor / 10 ** exponent).toFixed(exponent));
}

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-03-01T14:05:09+04:00. */
export function isoInZone(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offsetMin = Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

export function quoteSheet(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

export function firstRowOf(range: string): number | undefined {
  const cells = range.slice(range.lastIndexOf('!') + 1);
  const m = /^[A-Z]+(\d+)/.exec(cells);
  return m ? Number(m[1]) : undefined;
}

export function cellText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '';
}
