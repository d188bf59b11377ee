import { paymentEvent } from '../../../test/factories/payment-events';
import { parseAmocrmSettings } from '../amocrm/amocrm.settings';
import { parseBitrix24Settings } from '../bitrix24/bitrix24.settings';
import { noteMarker, paymentNoteText } from './payment-note';

describe('payment note text', () => {
  const event = paymentEvent();

  it('is English unless the connection asks for another language', () => {
    expect(paymentNoteText(event, null, 2).split('\n')[0]).toBe('Payment received: 12 500 ֏');
  });

  it('speaks Russian and Armenian, keeping amounts, references and the marker', () => {
    const ru = paymentNoteText(event, null, 2, 'ru').split('\n');
    expect(ru[0]).toBe('Оплата получена: 12 500 ֏');
    expect(ru[1]).toBe('Заказ A-1001, платёж VPOS pay-77, попытка 1');
    const hy = paymentNoteText(event, null, 2, 'hy').split('\n');
    expect(hy[0]).toBe('Վճարումը ստացված է: 12 500 ֏');
    expect(hy[1]).toContain('Պատվեր A-1001');
    for (const text of [ru, hy]) expect(text[text.length - 1]).toBe(noteMarker(event.id));
  });

  it('is chosen per connection in the CRM settings, and an unknown language is refused', () => {
    expect(parseBitrix24Settings({ noteLanguage: 'hy' }).noteLanguage).toBe('hy');
    expect(parseAmocrmSettings({ noteLanguage: 'ru' }).noteLanguage).toBe('ru');
    expect(() => parseBitrix24Settings({ noteLanguage: 'de' })).toThrow(/settings.noteLanguage/);
  });
});
