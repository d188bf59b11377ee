import { api, ok } from '../client';
import { field, h } from '../dom';
import { t } from '../i18n';
import type { components } from '../api';
import type { ConnectionView } from '../types';

type Choices = components['schemas']['MappingChoices'];
type Settings = Record<string, unknown>;

const STATUSES = [
  'paid',
  'failed',
  'cancelled',
  'expired',
  'refunded',
  'partially_refunded',
  'manual_review',
];
const FIELDS: Record<string, string[]> = {
  bitrix24: ['paidAt', 'providerReference', 'paymentLink', 'refundedAmount'],
  amocrm: ['paidAt', 'providerReference', 'paymentLink'],
};

interface Picker {
  path: string[];
  label: HTMLElement;
  select: HTMLSelectElement;
  /** The settings value of an option (undefined: not mapped). */
  value: (option: string) => unknown;
}

const at = (settings: Settings, path: string[]): unknown =>
  path.reduce<unknown>((o, k) => (o as Settings | undefined)?.[k], settings);
const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

function put(settings: Settings, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (value === undefined) delete settings[head];
    else settings[head] = value;
    return;
  }
  const inner = { ...((settings[head] as Settings | undefined) ?? {}) };
  put(inner, rest, value);
  if (Object.keys(inner).length === 0) delete settings[head];
  else settings[head] = inner;
}

function picker(
  label: string,
  path: string[],
  groups: Array<[string, Array<[string, string]>]>,
  current: string,
  value: Picker['value'],
): Picker {
  const options = (list: Array<[string, string]>) =>
    list.map(([v, text]) => h('option', { value: v, selected: v === current }, text));
  const select = h(
    'select',
    { name: path.join('.') },
    h('option', { value: '' }, t('notMapped')),
    groups.flatMap(([name, list]) =>
      name ? [h('optgroup', { label: name }, options(list))] : options(list),
    ),
  );
  return { path, label: field(label, select), select, value };
}

function crmPickers(type: string, choices: Choices, settings: Settings): Picker[] {
  const pipelines = choices.pipelines ?? [];
  const fields = (choices.fields ?? []).map((f): [string, string] => [f.id, `${f.name} (${f.id})`]);
  const pickers: Picker[] = [];
  const fieldValue = (v: string) => (v === '' ? undefined : type === 'amocrm' ? Number(v) : v);
  for (const status of STATUSES) {
    if (type === 'bitrix24') {
      const current = text(at(settings, ['stages', status]));
      const groups = pipelines.map((p): [string, Array<[string, string]>] => [
        p.name,
        p.stages.map((s) => [s.id, `${s.name} (${s.id})`]),
      ]);
      pickers.push(
        picker(`${t('stageWhen')} ${status}`, ['stages', status], groups, current, (v) =>
          v === '' ? undefined : v,
        ),
      );
    } else {
      const mapped = at(settings, ['statuses', status]) as
        { pipelineId?: number; statusId: number } | null | undefined;
      const current = mapped ? `${mapped.pipelineId ?? ''}:${mapped.statusId}` : '';
      const groups = pipelines.map((p): [string, Array<[string, string]>] => [
        p.name,
        p.stages.map((s) => [`${p.id}:${s.id}`, s.name]),
      ]);
      pickers.push(
        picker(`${t('stageWhen')} ${status}`, ['statuses', status], groups, current, (v) => {
          if (v === '') return undefined;
          const [pipelineId, statusId] = v.split(':').map(Number);
          return { pipelineId, statusId };
        }),
      );
    }
  }
  for (const key of FIELDS[type] ?? []) {
    const current = text(at(settings, ['fields', key]));
    pickers.push(
      picker(`${t('fieldFor')} ${key}`, ['fields', key], [['', fields]], current, fieldValue),
    );
  }
  const orderIdOptions: Array<[string, string]> =
    type === 'bitrix24' ? [['ORIGIN_ID', 'ORIGIN_ID'], ...fields] : fields;
  const currentOrderId = text(at(settings, ['orderIdField']));
  pickers.push(
    picker(t('orderIdField'), ['orderIdField'], [['', orderIdOptions]], currentOrderId, fieldValue),
  );
  return pickers;
}

function sheetPickers(choices: Choices, settings: Settings): Picker[] {
  const tabs = (choices.tabs ?? []).map((tab): [string, string] => [tab, tab]);
  const current = text(settings.sheetName ?? choices.sheetName);
  return [picker(t('sheetName'), ['sheetName'], [['', tabs]], current, (v) => v || undefined)];
}

/** Select boxes filled from the destination's live choices; saving shows the preview. */
export function mappingEditor(
  c: ConnectionView,
  saved: (settings: Settings) => void,
  preview: () => Promise<void>,
): HTMLElement {
  const root = h('div', { class: 'mapping-editor', 'aria-live': 'polite' });
  const message = h('p', { role: 'status' });
  const load = async () => {
    root.replaceChildren(h('p', { class: 'muted' }, t('loading')));
    try {
      const choices = await ok<Choices>(
        api.GET('/api/connections/{id}/choices', { params: { path: { id: c.id } } }),
      );
      const pickers =
        c.type === 'google-sheets'
          ? sheetPickers(choices, c.settings)
          : crmPickers(c.type, choices, c.settings);
      const header = choices.header?.length
        ? h('p', { class: 'muted header-row' }, `${t('headerRow')}: ${choices.header.join(' | ')}`)
        : null;
      const save = h('button', { type: 'button', class: 'save-mapping' }, t('saveMapping'));
      save.addEventListener('click', () => {
        const settings = structuredClone(c.settings);
        for (const p of pickers) put(settings, p.path, p.value(p.select.value));
        message.textContent = '';
        void ok(
          api.PATCH('/api/connections/{id}', {
            params: { path: { id: c.id } },
            body: { settings } as never,
          }),
        ).then(
          async () => {
            saved(settings);
            message.textContent = t('saved');
            await preview();
          },
          (err: Error) => (message.textContent = err.message),
        );
      });
      root.replaceChildren(
        h(
          'div',
          { class: 'grid' },
          pickers.map((p) => p.label),
        ),
        ...(header ? [header] : []),
        h('p', { class: 'actions' }, save),
        message,
      );
    } catch (err) {
      root.replaceChildren(h('p', { role: 'alert', class: 'error' }, (err as Error).message));
    }
  };
  void load();
  return root;
}
