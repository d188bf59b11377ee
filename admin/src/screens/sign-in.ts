import { api } from '../client';
import { field, h } from '../dom';
import { t } from '../i18n';
import type { Session } from '../types';

export function signInScreen(done: (s: Session) => void, langPicker: HTMLElement): HTMLElement {
  const email = h('input', {
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
  });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const message = h('p', { role: 'alert', class: 'error' });
  const form = h(
    'form',
    { class: 'card signin' },
    h('h1', {}, t('appName')),
    field(t('email'), email),
    field(t('password'), password),
    h('button', { type: 'submit' }, t('signIn')),
    message,
    h('div', { class: 'lang' }, langPicker),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    message.textContent = '';
    void api
      .POST('/api/session', { body: { email: email.value, password: password.value } })
      .then(({ data, response }) => {
        if (response.ok) return done(data as unknown as Session);
        message.textContent = response.status === 429 ? t('tooMany') : t('wrongPassword');
      });
  });
  return form;
}
