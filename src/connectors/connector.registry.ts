import { Inject, Injectable } from '@nestjs/common';
import type { CrmConnector } from './crm-connector';

export const CONNECTORS = Symbol('CONNECTORS');

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
