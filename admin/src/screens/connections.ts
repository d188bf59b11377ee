import { api, ok } from '../client';
import { field, h } from '../dom';
import { t } from '../i18n';
import type { ConnectionView } from '../types';
import { mappingEditor } from './mapping';

const oauthStart = (provider: string, query: Record<string, string> = {}) => {
  const qs = new URLSearchParams(query).toString();
  location.assign(`/api/connections/oauth/${provider}/start${qs ? `?${qs}` : ''}`);
};

const OAUTH_PROVIDER: Record<string, string> = {
  bitrix24: 'bitrix24',
  amocrm: 'amocrm',
  'google-sheets': 'google',
};

function oauthButtons(): HTMLElement {
  const portal = h('input', { name: 'portal', placeholder: 'company.bitrix24.ru' });
  const sheet = h('input', { name: 'spreadsheetId' });
  const bitrix = h(
    'button',
    { type: 'button', id: 'connect-bitrix24' },
    `${t('connect')} Bitrix24`,
  );
  bitrix.addEventListener('click', () => oauthStart('bitrix24', { portal: portal.value.trim() }));
  const amo = h(
    'button',
    { type: 'button', id: 'connect-amocrm' },
    `${t('connect')} amoCRM / Kommo`,
  );
  amo.addEventListener('click', () => oauthStart('amocrm'));
  const google = h(
    'button',
    { type: 'button', id: 'connect-google' },
    `${t('connect')} Google Sheets`,
  );
  google.addEventListener('click', () =>
    oauthStart('google', sheet.value.trim() ? { spreadsheetId: sheet.value.trim() } : {}),
  );
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, t('connect')),
    field(t('portal'), portal),
    h('p', { class: 'actions' }, bitrix, amo),
    field(t('spreadsheetId'), sheet),
    h('p', { class: 'actions' }, google),
  );
}

function manualForm(reload: () => Promise<void>): HTMLElement {
  const type = h(
    'select',
    { name: 'type' },
    h('option', { value: 'bitrix24' }, `Bitrix24 — ${t('webhookMode')}`),
    h('option', { value: 'amocrm' }, `amoCRM — ${t('tokenMode')}`),
    h('option', { value: 'google-sheets' }, `Google — ${t('serviceAccount')}`),
  );
  const name = h('input', { name: 'displayName', required: true });
  const secret = h('textarea', { name: 'secret', rows: 3, required: true });
  const extra = h('input', { name: 'extra' });
  const sheet = h('input', { name: 'sheetName', value: 'Payments' });
  const message = h('p', { role: 'alert', class: 'error' });
  const form = h(
    'form',
    { class: 'card filters' },
    h('h2', {}, t('add')),
    field(t('kind'), type),
    field(t('connection'), name),
    field(`${t('webhookMode')} / ${t('tokenMode')} / ${t('serviceAccount')}`, secret),
    field(`${t('amoHost')} / ${t('spreadsheetId')}`, extra),
    field(t('sheetName'), sheet),
    h('button', { type: 'submit' }, t('add')),
    message,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body: Record<string, unknown> = { type: type.value, displayName: name.value };
    if (type.value === 'bitrix24')
      Object.assign(body, { mode: 'webhook', credentials: { webhookUrl: secret.value.trim() } });
    if (type.value === 'amocrm')
      Object.assign(body, {
        mode: 'token',
        credentials: { token: secret.value.trim() },
        settings: { host: extra.value.trim() },
      });
    if (type.value === 'google-sheets')
      Object.assign(body, {
        mode: 'service_account',
        credentials: { serviceAccountKey: secret.value.trim() },
        settings: { spreadsheetId: extra.value.trim(), sheetName: sheet.value.trim() },
      });
    void ok(api.POST('/api/connections', { body: body as never })).then(
      reload,
      (err: Error) => (message.textContent = err.message),
    );
  });
  return form;
}

const openCards = new Set<string>();

function connectionCard(c: ConnectionView, reload: () => Promise<void>): HTMLElement {
  const message = h('p', { role: 'status' });
  const act = (p: Promise<unknown>) =>
    void p.then(reload, (err: Error) => (message.textContent = err.message));
  const patch = (body: Record<string, unknown>) =>
    ok(api.PATCH('/api/connections/{id}', { params: { path: { id: c.id } }, body: body as never }));
  const buttons: HTMLElement[] = [];
  const provider = OAUTH_PROVIDER[c.type];
  if (c.mode === 'oauth' && provider) {
    const b = h('button', { type: 'button', class: 'reconnect' }, t('reconnect'));
    const portal =
      typeof c.account.domain === 'string'
        ? c.account.domain
        : typeof c.account.portal === 'string'
          ? c.account.portal
          : '';
    b.addEventListener('click', () =>
      oauthStart(provider, provider === 'bitrix24' && portal ? { portal } : {}),
    );
    buttons.push(b);
  }
  const toggle = h(
    'button',
    { type: 'button' },
    c.status === 'disabled' ? t('enable') : t('disable'),
  );
  toggle.addEventListener('click', () =>
    act(patch({ status: c.status === 'disabled' ? 'active' : 'disabled' })),
  );
  const remove = h('button', { type: 'button', class: 'danger' }, t('remove'));
  remove.addEventListener('click', () => {
    if (confirm(t('confirmRemove')))
      act(ok(api.DELETE('/api/connections/{id}', { params: { path: { id: c.id } } })));
  });
  buttons.push(toggle, remove);
  const settings = h(
    'textarea',
    { rows: 8, class: 'mono', 'aria-label': `${t('mapping')} ${c.displayName}` },
    JSON.stringify(c.settings, null, 2),
  );
  const save = h('button', { type: 'button' }, t('save'));
  save.addEventListener('click', () => {
    try {
      const parsed = JSON.parse(settings.value) as Record<string, unknown>;
      act(patch({ settings: parsed }));
    } catch (err) {
      message.textContent = (err as Error).message;
    }
  });
  const preview = h('button', { type: 'button', class: 'preview' }, t('preview'));
  const previewOut = h('pre', { class: 'preview-out', 'aria-live': 'polite' });
  const runPreview = () =>
    ok<{ wouldSend: unknown }>(
      api.POST('/api/connections/{id}/preview', { params: { path: { id: c.id } }, body: {} }),
    ).then(
      (r) => void (previewOut.textContent = JSON.stringify(r.wouldSend, null, 2)),
      (err: Error) => void (previewOut.textContent = err.message),
    );
  preview.addEventListener('click', () => void runPreview());
  const saved = (next: Record<string, unknown>) => {
    c.settings = next;
    settings.value = JSON.stringify(next, null, 2);
  };
  const editor = h('div', {});
  const details = h(
    'details',
    {},
    h('summary', {}, t('mapping')),
    editor,
    h('h3', {}, t('advanced')),
    settings,
    h('p', { class: 'actions' }, save, preview),
    previewOut,
  );
  details.addEventListener('toggle', () => {
    if (details.open) openCards.add(c.id);
    else openCards.delete(c.id);
    if (details.open && !editor.hasChildNodes() && c.type !== 'webhook') {
      editor.append(mappingEditor(c, saved, runPreview));
    }
  });
  // A save or a status change re-renders the list: the card the operator was working in stays open.
  details.open = openCards.has(c.id);
  return h(
    'section',
    { class: `card conn s-${c.status}`, 'data-connection': c.id },
    h('h2', {}, `${c.displayName} `, h('span', { class: `badge s-${c.status}` }, c.status)),
    h('p', { class: 'muted' }, `${c.type} · ${c.mode}`),
    c.statusReason ? h('p', { class: 'error' }, `${t('reasonLabel')}: ${c.statusReason}`) : null,
    h('p', { class: 'actions' }, buttons),
    details,
    message,
  );
}

export async function connectionsScreen(): Promise<HTMLElement> {
  const root = h('div', {});
  const load = async () => {
    const list = await ok<ConnectionView[]>(api.GET('/api/connections'));
    root.replaceChildren(
      h('h1', {}, t('connections')),
      ...list.map((c) => connectionCard(c, load)),
      h('div', { class: 'grid' }, oauthButtons(), manualForm(load)),
    );
  };
  await load();
  return root;
}
