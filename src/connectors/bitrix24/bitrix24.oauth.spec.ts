import { UnprocessableEntityException } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { Bitrix24OAuth } from './bitrix24.oauth';

describe('Bitrix24 OAuth consent targets', () => {
  const oauth = new Bitrix24OAuth({
    crm: { bitrix24: { clientId: 'local.app' } },
    connectors: { insecureHosts: ['127.0.0.1:4010', 'crm.example.local:8080'] },
  } as unknown as AppConfig);
  const portal = (value: string) => oauth.startParams({ portal: value }).portal;

  it.each([
    ['shop.bitrix24.com', 'shop.bitrix24.com'],
    ['https://Shop.Bitrix24.RU/', 'shop.bitrix24.ru'],
    ['a-1.bitrix24.com.br', 'a-1.bitrix24.com.br'],
    ['x.bitrix24.de', 'x.bitrix24.de'],
    ['x.bitrix24.com.tr', 'x.bitrix24.com.tr'],
    ['127.0.0.1:4010', '127.0.0.1:4010'],
    ['crm.example.local:8080', 'crm.example.local:8080'],
  ])('accepts %s (a cloud zone or a configured host)', (given, stored) => {
    expect(portal(given)).toBe(stored);
  });

  it.each([
    'evil.bitrix24.xyz',
    'evil.bitrix24.am',
    'evil.bitrix24.net',
    'evil.bitrix24.co.uk',
    'x.bitrix24.ru.evil.com',
    'x.bitrix24.ru:8443',
    'a.b.bitrix24.ru',
    'bitrix24.ru',
    '-x.bitrix24.ru',
    'x-bitrix24.ru',
    'evilbitrix24.com',
    '127.0.0.1:4011',
    'crm.example.local',
    'x.bitrix24.ru@evil.com',
  ])('refuses %s with a 422 naming the portal', (given) => {
    expect(() => portal(given)).toThrow(UnprocessableEntityException);
    expect(() => portal(given)).toThrow(/^portal: /);
  });
});
