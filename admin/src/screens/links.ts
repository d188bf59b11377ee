import QRCode from 'qrcode';
import { api, ok } from '../client';
import { field, h, table } from '../dom';
import { money, time, toMinor } from '../format';
import { t } from '../i18n';
import type { LinkView, Product } from '../types';

const key = () => crypto.randomUUID();
const newOrderId = () =>
  `ord-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${crypto.randomUUID().slice(0, 6)}`;

async function linkCard(link: LinkView): Promise<HTMLElement> {
  const url = link.url ?? '';
  const copy = h('button', { type: 'button' }, t('copy'));
  copy.addEventListener('click', () => {
    void navigator.clipboard
      ?.writeText(link.whatsapp.text)
      .then(() => (copy.textContent = t('copied')));
  });
  const qr = url ? await QRCode.toDataURL(url, { margin: 1, width: 200 }) : '';
  return h(
    'section',
    { class: 'card created', 'aria-live': 'polite' },
    h('h2', {}, `${link.orderId} · ${money(link.amountMinor, link.currency)}`),
    h(
      'textarea',
      { readonly: true, rows: 4, 'aria-label': 'WhatsApp', class: 'wa-text' },
      link.whatsapp.text,
    ),
    h(
      'p',
      { class: 'actions' },
      copy,
      h(
        'a',
        { class: 'button', href: link.whatsapp.url, target: '_blank', rel: 'noopener noreferrer' },
        t('openWhatsApp'),
      ),
      url
        ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'pay-url' }, url)
        : null,
    ),
    qr ? h('img', { src: qr, alt: `${t('qrCode')}: ${url}`, width: 200, height: 200 }) : null,
  );
}

export async function linksScreen(): Promise<HTMLElement> {
  const root = h('div', {});
  const created = h('div', {});
  const list = h('div', {});
  const statusFilter = h(
    'select',
    { 'aria-label': t('status') },
    h('option', { value: '' }, t('any')),
    ['active', 'paid', 'expired', 'cancelled', 'failed'].map((s) => h('option', { value: s }, s)),
  );
  const loadList = async () => {
    const query = statusFilter.value ? { status: statusFilter.value } : {};
    const links = await ok<LinkView[]>(api.GET('/api/payment-links', { params: { query } }));
    list.replaceChildren(
      table(
        [t('orderId'), t('amount'), t('status'), t('expires'), ''],
        links.map((l) => {
          const cancel = h('button', { type: 'button', class: 'small' }, t('cancel'));
          cancel.addEventListener('click', () => {
            void ok(
              api.POST('/api/payment-links/{id}/cancel', { params: { path: { id: l.id } } }),
            ).then(loadList);
          });
          const resend = h('button', { type: 'button', class: 'small resend' }, t('resend'));
          resend.setAttribute('aria-label', `${t('resend')}: ${l.orderId}`);
          resend.addEventListener('click', () => {
            void ok<LinkView>(
              api.POST('/api/payment-links/{id}/resend', { params: { path: { id: l.id } } }),
            ).then(
              async (again) => created.replaceChildren(await linkCard(again)),
              (err: Error) => (created.textContent = err.message),
            );
          });
          return [
            l.orderId,
            money(l.amountMinor, l.currency),
            l.status,
            time(l.expiresAt),
            l.status === 'active' ? h('span', { class: 'actions' }, resend, cancel) : '',
          ];
        }),
      ),
    );
  };
  statusFilter.addEventListener('change', () => void loadList());

  const products = await ok<Product[]>(api.GET('/api/products'));
  const orderId = h('input', { name: 'orderId', required: true, value: newOrderId() });
  const amount = h('input', { name: 'amount', inputmode: 'decimal', required: true });
  const phone = h('input', { name: 'phone', type: 'tel' });
  const description = h('input', { name: 'description' });
  const hours = h('input', { name: 'hours', type: 'number', min: 1, value: 24 });
  const deal = h('input', { name: 'bitrix24DealId', inputmode: 'numeric' });
  const lead = h('input', { name: 'amocrmLeadId', inputmode: 'numeric' });
  const message = h('p', { role: 'alert', class: 'error' });
  const form = h(
    'form',
    { class: 'card filters' },
    h('h2', {}, t('newLink')),
    field(t('orderId'), orderId),
    field(`${t('amount')} (֏)`, amount),
    field(t('phone'), phone),
    field(t('description'), description),
    field(t('expiresHours'), hours),
    field(t('bitrixDeal'), deal),
    field(t('amoLead'), lead),
    h('button', { type: 'submit' }, t('create')),
    message,
  );
  const create = async (body: Record<string, unknown>) => {
    message.textContent = '';
    try {
      const link = await ok<LinkView>(
        api.POST('/api/payment-links', {
          params: { header: { 'Idempotency-Key': key() } },
          body: body as never,
        }),
      );
      created.replaceChildren(await linkCard(link));
      orderId.value = newOrderId();
      await loadList();
    } catch (err) {
      message.textContent = (err as Error).message;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const amountMinor = toMinor(amount.value);
    if (amountMinor === undefined) {
      message.textContent = `${t('amount')}?`;
      return;
    }
    const crm: Record<string, string> = {};
    if (deal.value) crm.bitrix24DealId = deal.value.trim();
    if (lead.value) crm.amocrmLeadId = lead.value.trim();
    void create({
      orderId: orderId.value.trim(),
      amountMinor,
      currency: 'AMD',
      ...(phone.value ? { customer: { phone: phone.value.trim() } } : {}),
      ...(description.value ? { description: description.value } : {}),
      ttlSeconds: Math.max(1, Number(hours.value) || 24) * 3600,
      ...(Object.keys(crm).length ? { crm } : {}),
    });
  });
  const catalog = h(
    'section',
    { class: 'card' },
    h('h2', {}, t('catalog')),
    products.length
      ? table(
          ['', t('amount'), ''],
          products.map((p) => {
            const b = h('button', { type: 'button', class: 'small' }, t('create'));
            b.addEventListener('click', () => void create({ productId: p.id }));
            return [p.name ?? p.title ?? p.id, money(p.amountMinor, p.currency), b];
          }),
        )
      : h('p', { class: 'muted' }, t('noResults')),
  );
  await loadList();
  root.append(
    h('h1', {}, t('links')),
    h('div', { class: 'grid' }, form, catalog),
    created,
    h(
      'section',
      { class: 'card' },
      h('h2', {}, t('links')),
      field(t('status'), statusFilter),
      list,
    ),
  );
  return root;
}
