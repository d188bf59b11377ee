import './style.css';
import { api, setCsrf, whenSignedOut } from './client';
import { h, mount } from './dom';
import { setTimeZone } from './format';
import { LANGS, lang, setLang, t } from './i18n';
import { BASE, go, navLink, onNavigate } from './nav';
import type { Key } from './i18n';
import type { Session } from './types';
import { connectionsScreen } from './screens/connections';
import { deliveriesScreen } from './screens/deliveries';
import { homeScreen } from './screens/home';
import { linksScreen } from './screens/links';
import { operatorsScreen } from './screens/operators';
import { orderScreen } from './screens/order';
import { paymentsScreen } from './screens/payments';
import { reconciliationScreen } from './screens/reconciliation';
import { rt } from './screens/reconciliation-i18n';
import { reconciliationRunScreen } from './screens/reconciliation-run';
import { signInScreen } from './screens/sign-in';

const app = document.getElementById('app')!;
let session: Session | null = null;

document.addEventListener('click', (e) => {
  const a = (e.target as Element).closest?.('a[data-nav]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  go(a.getAttribute('data-nav')!);
});
window.addEventListener('popstate', () => void render());
whenSignedOut(() => {
  session = null;
  onNavigate(() => void render());
  void render();
});

const NAV: Array<[string, Key | (() => string)]> = [
  ['/', 'home'],
  ['/payments', 'payments'],
  ['/links', 'links'],
  ['/connections', 'connections'],
  ['/deliveries', 'deliveries'],
  ['/reconciliation', () => rt('reconciliation')],
  ['/operators', 'operators'],
];

function langPicker(): HTMLElement {
  const select = h(
    'select',
    { 'aria-label': t('language'), id: 'lang' },
    LANGS.map(([code, name]) => h('option', { value: code, selected: code === lang() }, name)),
  );
  select.addEventListener('change', () => {
    setLang(select.value as 'en' | 'ru' | 'hy');
    onNavigate(() => void render());
    void render();
  });
  return select;
}

function layout(path: string, main: HTMLElement): HTMLElement[] {
  const nav = h(
    'nav',
    { 'aria-label': t('appName') },
    NAV.map(([p, key]) => {
      const a = navLink(p, typeof key === 'function' ? key() : t(key));
      const current = p === '/' ? path === '/' : path.startsWith(p);
      if (current) a.setAttribute('aria-current', 'page');
      return a;
    }),
    h('a', { href: `${BASE}/queues` }, t('queues')),
  );
  const signOut = h('button', { type: 'button', class: 'link' }, t('signOut'));
  signOut.addEventListener('click', () => {
    void api.DELETE('/api/session').finally(() => {
      session = null;
      go('/');
    });
  });
  const header = h(
    'header',
    {},
    h('strong', { class: 'brand' }, t('appName')),
    nav,
    h('div', { class: 'who' }, langPicker(), h('span', {}, session?.operator.name ?? ''), signOut),
  );
  return [header, h('main', { id: 'main' }, main)];
}

async function screenFor(path: string): Promise<HTMLElement> {
  const order = /^\/payments\/(.+)$/.exec(path);
  if (order) return orderScreen(decodeURIComponent(order[1]));
  const run = /^\/reconciliation\/([\w-]+)$/.exec(path);
  if (run) return reconciliationRunScreen(run[1]);
  switch (path) {
    case '/payments':
      return paymentsScreen();
    case '/links':
      return linksScreen();
    case '/connections':
      return connectionsScreen();
    case '/deliveries':
      return deliveriesScreen();
    case '/reconciliation':
      return reconciliationScreen();
    case '/operators':
      return operatorsScreen(session?.operator.id);
    default:
      return homeScreen();
  }
}

async function loadSession(): Promise<Session | null> {
  const { data, response } = await api.GET('/api/session');
  if (!response.ok) return null;
  return data as unknown as Session;
}

function signedIn(next: Session): void {
  session = next;
  setCsrf(next.csrfToken);
  if (next.timeZone) setTimeZone(next.timeZone);
  onNavigate(() => void render());
  void render();
}

async function render(): Promise<void> {
  document.documentElement.lang = lang();
  document.title = t('appName');
  if (!session) {
    const loaded = await loadSession();
    if (!loaded) {
      mount(app, h('main', { id: 'main' }, signInScreen(signedIn, langPicker())));
      return;
    }
    session = loaded;
    setCsrf(loaded.csrfToken);
    if (loaded.timeZone) setTimeZone(loaded.timeZone);
  }
  const path = location.pathname.slice(BASE.length).replace(/\/$/, '') || '/';
  mount(app, ...layout(path, h('p', { class: 'muted' }, t('loading'))));
  try {
    const screen = await screenFor(path);
    mount(app, ...layout(path, screen));
  } catch (err) {
    mount(app, ...layout(path, h('p', { role: 'alert' }, `${t('failed')}: ${String(err)}`)));
  }
}

onNavigate(() => void render());
void render();
