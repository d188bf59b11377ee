import type { TokenService } from '../../credentials/token.service';
import { ConnectionContext, ConnectorError } from '../crm-connector';
import { Bitrix24Client } from './bitrix24.client';

interface Bitrix24Credentials {
  webhookUrl?: string;
  accessToken?: string;
}

export async function isWebhookConnection(ctx: ConnectionContext): Promise<boolean> {
  return !!(await ctx.credentials<Bitrix24Credentials>())?.webhookUrl;
}

export async function connectionClient(
  ctx: ConnectionContext,
  tokens: TokenService,
): Promise<Bitrix24Client> {
  const credentials = await ctx.credentials<Bitrix24Credentials>();
  if (credentials?.webhookUrl) {
    return new Bitrix24Client(
      { mode: 'webhook', webhookUrl: credentials.webhookUrl },
      { pace: ctx.pace },
    );
  }
  const clientEndpoint = ctx.account.clientEndpoint;
  if (!credentials?.accessToken || typeof clientEndpoint !== 'string') {
    throw new ConnectorError(
      'bitrix24',
      'auth',
      'NO_CREDENTIALS',
      'bitrix24: the connection has no credentials; reconnect it',
    );
  }
  return new Bitrix24Client(
    { mode: 'oauth', connectionId: ctx.id, clientEndpoint },
    { tokens, pace: ctx.pace },
  );
}
