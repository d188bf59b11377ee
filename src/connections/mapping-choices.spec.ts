import { HttpException } from '@nestjs/common';
import {
  ConnectionContext,
  ConnectorError,
  CrmConnector,
  MappingChoices,
} from '../connectors/crm-connector';
import { readChoices } from './mapping-choices';

const ctx = { type: 'amocrm', displayName: 'Sales' } as ConnectionContext;
const connector = (choices?: () => Promise<MappingChoices>) =>
  ({ type: 'amocrm', choices }) as unknown as CrmConnector;

async function statusOf(choices?: () => Promise<MappingChoices>): Promise<[number, string]> {
  try {
    await readChoices(connector(choices), ctx);
  } catch (err) {
    const e = err as HttpException;
    return [e.getStatus(), e.message];
  }
  return [200, ''];
}

describe('readChoices: destination failures answered by kind', () => {
  const failing = (kind: 'auth' | 'permanent' | 'retryable') => () =>
    Promise.reject(new ConnectorError('amocrm', kind, 'X', 'said no'));

  it('a refused token is 409 naming the connection, never a 5xx', async () => {
    expect(await statusOf(failing('auth'))).toEqual([
      409,
      "connection: Sales refused the hub's credentials; reconnect it (said no)",
    ]);
  });

  it('a refused request is 424, an unanswered one 502', async () => {
    expect((await statusOf(failing('permanent')))[0]).toBe(424);
    expect((await statusOf(failing('retryable')))[0]).toBe(502);
  });

  it('a connector without choices is 409 naming the type', async () => {
    expect(await statusOf(undefined)).toEqual([
      409,
      'type: amocrm connections have no mapping to choose from',
    ]);
  });

  it('what the connector read, with the type', async () => {
    const out = await readChoices(
      connector(() => Promise.resolve({ fields: [{ id: '1', name: 'Ref' }] })),
      ctx,
    );
    expect(out).toEqual({ type: 'amocrm', fields: [{ id: '1', name: 'Ref' }] });
  });

  it('an unexpected error is not turned into an answer', async () => {
    await expect(
      readChoices(
        connector(() => Promise.reject(new TypeError('bug'))),
        ctx,
      ),
    ).rejects.toThrow(TypeError);
  });
});
