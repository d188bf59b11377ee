import type { NoteLanguage } from '../connectors/shared/payment-note';

export type Refusal =
  | { kind: 'no_amount' }
  | { kind: 'currency'; currency: string; accepted: string[] }
  | { kind: 'ceiling'; amount: string; limit: string };

const HEAD: Record<NoteLanguage, (entity: string) => string> = {
  en: (e) => `No payment link was made for this ${e}: `,
  ru: () => 'Ссылка на оплату не создана: ',
  hy: () => 'Վճարման հղում չի ստեղծվել․ ',
};

const WHY: Record<NoteLanguage, (r: Refusal, entity: string) => string> = {
  en: (r, e) =>
    r.kind === 'no_amount'
      ? `the ${e} has no amount.`
      : r.kind === 'currency'
        ? `${r.currency} is not a currency payment links take (${r.accepted.join(', ')}).`
        : `the amount ${r.amount} is over the limit of ${r.limit}.`,
  ru: (r) =>
    r.kind === 'no_amount'
      ? 'у сделки нет суммы.'
      : r.kind === 'currency'
        ? `валюта ${r.currency} не принимается (${r.accepted.join(', ')}).`
        : `сумма ${r.amount} больше предела ${r.limit}.`,
  hy: (r) =>
    r.kind === 'no_amount'
      ? 'գումարը նշված չէ։'
      : r.kind === 'currency'
        ? `${r.currency} արժույթը չի ընդունվում (${r.accepted.join(', ')})։`
        : `${r.amount} գումարը գերազանցում է ${r.limit} սահմանը։`,
};

/** The same refusal twice is said once; a different one is said again. */
export function refusalKey(r: Refusal): string {
  return r.kind === 'no_amount'
    ? r.kind
    : r.kind === 'currency'
      ? `currency:${r.currency}`
      : `ceiling:${r.amount}`;
}

export function refusalText(r: Refusal, language: NoteLanguage, entity: string): string {
  return `${HEAD[language](entity)}${WHY[language](r, entity)}`;
}

const LINK_HEAD: Record<NoteLanguage, string> = {
  en: 'Payment link',
  ru: 'Ссылка на оплату',
  hy: 'Վճարման հղում',
};
const WHATSAPP: Record<NoteLanguage, string> = {
  en: 'Message for WhatsApp',
  ru: 'Сообщение для WhatsApp',
  hy: 'Հաղորդագրություն WhatsApp-ի համար',
};

export interface LinkNoteInput {
  linkId: string;
  orderId: string;
  url: string;
  text: string;
  whatsappUrl: string;
}

/** One note per link; the marker line names the link so a person (or a search) can tell. */
export function linkNoteText(input: LinkNoteInput, language: NoteLanguage): string {
  return [
    `${LINK_HEAD[language]} (${input.orderId}): ${input.url}`,
    '',
    `${WHATSAPP[language]}:`,
    input.text,
    '',
    input.whatsappUrl,
    `vpos-hub link ${input.linkId}`,
  ].join('\n');
}
