import type { AppConfig } from '../../config/app-config';
import type { TokenService } from '../../credentials/token.service';
import type { ConnectionContext } from '../crm-connector';
import type { CrmEntitiesService } from '../shared/crm-entities.service';
import { Bitrix24Connector } from './bitrix24.connector';

const connector = new Bitrix24Connector(
  {} as AppConfig,
  {} as TokenService,
  {} as CrmEntitiesService,
);
const ctx = (settings: Record<string, unknown>): ConnectionContext => ({
  id: 'c1',
  type: 'bitrix24',
  displayName: 'portal',
  account: {},
  settings,
  credentials: () => Promise.resolve(null),
});

describe('Bitrix24 requests per call', () => {
  it('one lookup request, then a write request per 25 events (update and comment each)', () => {
    expect(connector.requestsPerCall(ctx({}), 1)).toBe(2);
    expect(connector.requestsPerCall(ctx({}), 25)).toBe(2);
    expect(connector.requestsPerCall(ctx({}), 26)).toBe(3);
    expect(connector.requestsPerCall(ctx({}), 1000)).toBe(41);
  });

  it('never more than a call of batchSize events', () => {
    expect(connector.requestsPerCall(ctx({ batchSize: 100 }), 5000)).toBe(5);
    expect(connector.requestsPerCall(ctx({}), 5000)).toBe(41);
  });
});
