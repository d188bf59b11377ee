import { h } from './dom';

export const BASE = '/admin';
let rerender: () => void = () => undefined;
export const onNavigate = (fn: () => void) => (rerender = fn);

export function go(path: string): void {
  history.pushState(null, '', `${BASE}${path}`);
  rerender();
}

export const navLink = (path: string, text: string) =>
  h('a', { href: `${BASE}${path}`, 'data-nav': path }, text);
