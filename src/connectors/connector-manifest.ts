import type { Type } from '@nestjs/common';
import type { ConfigSection } from '../config/config-section';
import type { OAuthProvider } from '../credentials/oauth-provider';
import type { CrmConnector } from './crm-connector';
import type { CrmLinkSource } from './shared/link-source';
import type { AccountCheck } from './shared/account-check';

// See ARCHITECTURE.md, "Add a CRM".
export interface ConnectorManifest {
  readonly type: string;
  /** Absent until the destination can receive events. */
  readonly connector?: Type<CrmConnector>;
  readonly oauth?: Type<OAuthProvider>;
  readonly accountChecks?: Readonly<Record<string, AccountCheck>>;
  readonly parseSettings?: (raw: unknown) => unknown;
  readonly config?: ConfigSection;
  /** The key a payment link's `crm` object (and VPOS metadata.crm) may carry for it. */
  readonly crmRefKey?: string;
  /** Present when deals or leads of this CRM can ask for a payment link (a stage trigger). */
  readonly linkSource?: Type<CrmLinkSource>;
}

export function defineManifest<const M extends ConnectorManifest>(manifest: M): M {
  return manifest;
}
