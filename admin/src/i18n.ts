import { en, type Key } from './i18n/en';
import { hy } from './i18n/hy';
import { ru } from './i18n/ru';

export type Lang = 'en' | 'ru' | 'hy';
export const LANGS: Array<[Lang, string]> = [
  ['en', 'English'],
  ['ru', 'Русский'],
  ['hy', 'Հայերեն'],
];

export type { Key };

const DICTS: Record<Lang, Record<Key, string>> = { en, ru, hy };
const STORAGE = 'vposhub.lang';

let current: Lang = (() => {
  const saved = localStorage.getItem(STORAGE);
  return saved === 'ru' || saved === 'hy' || saved === 'en' ? saved : 'en';
})();

export const lang = (): Lang => current;
export const t = (key: Key): string => DICTS[current][key];

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE, next);
  document.documentElement.lang = next;
}
