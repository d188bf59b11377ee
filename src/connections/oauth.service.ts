import {
  BadRequestException,
  Inject,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CredentialVault } from '../credentials/credential-vault';
import type { OAuthProvider } from '../credentials/oauth-provider';
import { OAUTH_PROVIDERS } from '../credentials/token.service';
import { ConnectionEvents } from './connection-events';
import { OAuthStateService } from './oauth-state.service';

/** Query strings reach the providers as single plain values; `?state=a&state=b` is a 400. */
export function singleValued(query: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') {
      throw new BadRequestException(`${key.slice(0, 64)}: must be given once, as plain text`);
    }
    out[key] = value;
  }
  return out;
}

@Injectable()
export class OAuthService {
  // A Map, so a path segment such as `__proto__` or `constructor` is just an unknown name.
  private readonly providers: ReadonlyMap<string, OAuthProvider>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly states: OAuthStateService,
    private readonly vault: CredentialVault,
    private readonly audit: AuditService,
    private readonly events: ConnectionEvents,
    @Inject(OAUTH_PROVIDERS) providers: OAuthProvider[],
  ) {
    this.providers = new Map(providers.map((p) => [p.name, p]));
  }

  provider(name: string): OAuthProvider {
    const provider = this.providers.get(name);
    if (!provider) {
      throw new NotFoundException(
        `provider: unknown OAuth provider "${name.slice(0, 64)}"; available: ${[...this.providers.keys()].join(', ')}`,
      );
    }
    if (!provider.configured()) {
      throw new UnprocessableEntityException(
        `provider: ${name} OAuth is not configured (set ${name.toUpperCase()}_CLIENT_ID and _CLIENT_SECRET)`,
      );
    }
    return provider;
  }

  async start(
    name: string,
    query: Record<string, unknown>,
    actor: string,
  ): Promise<{ url: string; session: string }> {
    const provider = this.provider(name);
    const params = provider.startParams(singleValued(query));
    const { state, session } = await this.states.begin(name, params, actor);
    return { url: provider.authorizeUrl(state, params), session };
  }

  async callback(
    name: string,
    rawQuery: Record<string, unknown>,
    session: string | undefined,
  ): Promise<{ connectionId: string; displayName: string }> {
    const provider = this.provider(name);
    const query = singleValued(rawQuery);
    const { params, actor } = await this.states.consume(name, query.state, session);
    const grant = await provider.exchange(query, params);
    const connectionId = await this.ds.transaction(async (m) => {
      const [existing] = await m.query<{ id: string }[]>(
        `SELECT id FROM connections
         WHERE type = $1 AND account->>'accountKey' = $2 AND deleted_at IS NULL FOR UPDATE`,
        [provider.connectionType, grant.account.accountKey],
      );
      const id = existing?.id ?? randomUUID();
      const sealed = this.vault.seal(id, grant.credentials);
      if (existing) {
        await m.query(
          `UPDATE connections SET account = $2::jsonb, credentials = $3, status = 'active',
             status_reason = NULL, credentials_version = credentials_version + 1, updated_at = now()
           WHERE id = $1`,
          [id, JSON.stringify(grant.account), sealed],
        );
        await this.events.reconnected(m, id);
      } else {
        await m.query(
          `INSERT INTO connections (id, type, display_name, mode, account, settings, credentials)
           VALUES ($1, $2, $3, 'oauth', $4::jsonb, '{}'::jsonb, $5)`,
          [id, provider.connectionType, grant.displayName, JSON.stringify(grant.account), sealed],
        );
      }
      await this.audit.record(
        {
          kind: existing ? 'connection.reconnected' : 'connection.created',
          actor,
          data: {
            connectionId: id,
            type: provider.connectionType,
            mode: 'oauth',
            account: grant.account,
          },
        },
        m,
      );
      return id;
    });
    return { connectionId, displayName: grant.displayName };
  }
}
