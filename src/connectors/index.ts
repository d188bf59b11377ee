import type { Type } from '@nestjs/common';
import type { ConfigSection } from '../config/config-section';
import type { OAuthProvider } from '../credentials/oauth-provider';
import { amocrmManifest } from './amocrm';
import { bitrix24Manifest } from './bitrix24';
import type { ConnectorManifest } from './connector-manifest';
import type { CrmConnector } from './crm-connector';
import { googleSheetsManifest } from './google-sheets';
import { webhookManifest } from './webhook';

/** The one list of destinations: adding a CRM is its folder plus one entry here. */
export const MANIFESTS = [
  webhookManifest,
  bitrix24Manifest,
  amocrmManifest,
  googleSheetsManifest,
] as const satisfies readonly ConnectorManifest[];

type Manifest = (typeof MANIFESTS)[number];

export type Destination = Extract<Manifest, { connector: Type<CrmConnector> }>['type'];
export type CrmRefKey = Extract<Manifest, { crmRefKey: string }>['crmRefKey'];
export type CrmRefs = Partial<Record<CrmRefKey, string>>;

export const DESTINATIONS = destinationsOf(MANIFESTS) as readonly Destination[];
export const CONNECTION_TYPES: readonly string[] = MANIFESTS.map((m) => m.type);
export const CRM_REF_KEYS = MANIFESTS.flatMap((m) =>
  'crmRefKey' in m ? [m.crmRefKey] : [],
) as readonly CrmRefKey[];
export const CONFIG_SECTIONS: readonly ConfigSection[] = MANIFESTS.flatMap((m) =>
  'config' in m ? [m.config] : [],
);

export function isDestination(value: unknown): value is Destination {
  return typeof value === 'string' && (DESTINATIONS as readonly string[]).includes(value);
}

export function destinationsOf(manifests: readonly ConnectorManifest[]): string[] {
  return manifests.filter((m) => m.connector).map((m) => m.type);
}

export function connectorClassesOf(manifests: readonly ConnectorManifest[]): Type<CrmConnector>[] {
  return manifests.flatMap((m) => (m.connector ? [m.connector] : []));
}

export function oauthClassesOf(manifests: readonly ConnectorManifest[]): Type<OAuthProvider>[] {
  return manifests.flatMap((m) => (m.oauth ? [m.oauth] : []));
}
