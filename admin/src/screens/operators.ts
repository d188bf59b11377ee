import { api, ok } from '../client';
import { field, h, table } from '../dom';
import { time } from '../format';
import { t } from '../i18n';
import type { components } from '../api';

type OperatorRow = components['schemas']['OperatorView'];

function createForm(reload: () => Promise<void>): HTMLElement {
  const email = h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' });
  const name = h('input', { name: 'name', required: true, autocomplete: 'off' });
  const password = h('input', {
    name: 'password',
    type: 'password',
    required: true,
    minlength: 12,
    autocomplete: 'new-password',
  });
  const message = h('p', { role: 'alert', class: 'error' });
  const form = h(
    'form',
    { class: 'card filters' },
    h('h2', {}, t('addOperator')),
    field(t('email'), email),
    field(t('name'), name),
    field(t('password'), password),
    h('button', { type: 'submit' }, t('add')),
    message,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    message.textContent = '';
    const body = { email: email.value.trim(), name: name.value.trim(), password: password.value };
    void ok(api.POST('/api/operators', { body })).then(
      reload,
      (err: Error) => (message.textContent = err.message),
    );
  });
  return form;
}

export async function operatorsScreen(selfId: string | undefined): Promise<HTMLElement> {
  const root = h('div', {});
  const message = h('p', { role: 'status' });
  const load = async () => {
    const list = await ok<OperatorRow[]>(api.GET('/api/operators'));
    const rows = list.map((o) => {
      const disabled = o.disabledAt !== null;
      const toggle = h(
        'button',
        { type: 'button', class: disabled ? 'small' : 'small danger' },
        disabled ? t('enable') : t('disable'),
      );
      toggle.setAttribute('aria-label', `${disabled ? t('enable') : t('disable')}: ${o.name}`);
      toggle.addEventListener('click', () => {
        void ok(
          api.PATCH('/api/operators/{id}', {
            params: { path: { id: o.id } },
            body: { disabled: !disabled },
          }),
        ).then(load, (err: Error) => (message.textContent = err.message));
      });
      return [
        o.name,
        o.email,
        time(o.createdAt),
        disabled ? `${t('disabled')} ${time(o.disabledAt)}` : t('active'),
        o.id === selfId ? '' : toggle,
      ];
    });
    root.replaceChildren(
      h('h1', {}, t('operators')),
      h(
        'section',
        { class: 'card' },
        table([t('name'), t('email'), t('created'), t('status'), ''], rows),
        message,
      ),
      createForm(load),
    );
  };
  await load();
  return root;
}
