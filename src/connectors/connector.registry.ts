import { Inject, Injectable } from '@nestjs/common';
import type { CrmConnector } from './crm-connector';

/** Every connector instance the manifests declare. */
export const CONNECTORS = Symbol('CONNECTORS');

/** The one place a destination type is mapped to its connector. */
@Injectable()
export class ConnectorRegistry {
  private readonly byType: ReadonlyMap<string, CrmConnector>;

  constructor(@Inject(CONNECTORS) connectors: CrmConnector[]) {
    this.byType = new Map(connectors.map((c) => [c.type, c]));
  }

  get(type: string): CrmConnector {
    const connector = this.byType.get(type);
    if (!connector) throw new Error(`no connector for destination type ${type}`);
    return connector;
  }

  types(): string[] {
    return [...this.byType.keys()];
  }
}
