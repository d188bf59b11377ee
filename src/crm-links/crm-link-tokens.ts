import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ConnectionContext } from '../connectors/crm-connector';
import type { InboundHint } from '../connectors/shared/link-source';
import { CredentialVault } from '../credentials/credential-vault';
import { CrmLinkSources } from './crm-link-sources';

/**
 * The secret a connection's inbound events must carry: the outgoing webhook's token an admin
 * pasted into the credentials, or an app's token learned from an event that proved itself
 * (its access token worked on the connected portal), stored encrypted.
 */
@Injectable()
export class CrmLinkTokens {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly vault: CredentialVault,
    private readonly sources: CrmLinkSources,
  ) {}

  async applicationToken(
    ctx: ConnectionContext,
    hint: InboundHint,
    body: unknown,
  ): Promise<string | undefined> {
    const credentials = await ctx.credentials<{ applicationToken?: string }>();
    if (credentials?.applicationToken) return credentials.applicationToken;
    const [row] = await this.ds.query<{ application_token: Buffer | null }[]>(
      `SELECT application_token FROM crm_link_subscriptions WHERE connection_id = $1`,
      [ctx.id],
    );
    if (row?.application_token) return this.vault.open<string>(aad(ctx.id), row.application_token);
    const source = this.sources.get(ctx.type);
    if (!hint.applicationToken || !source.proveSender || !(await source.proveSender(ctx, body))) {
      return undefined;
    }
    await this.ds.query(
      `INSERT INTO crm_link_subscriptions (connection_id, application_token) VALUES ($1, $2)
       ON CONFLICT (connection_id) DO UPDATE SET application_token = coalesce(
         crm_link_subscriptions.application_token, EXCLUDED.application_token), updated_at = now()`,
      [ctx.id, this.vault.seal(aad(ctx.id), hint.applicationToken)],
    );
    return this.applicationToken(ctx, { ...hint, applicationToken: undefined }, body);
  }
}

const aad = (connectionId: string) => `${connectionId}:application_token`;
