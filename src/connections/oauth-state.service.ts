import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';

const TTL_MINUTES = 10;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

// Random, single-use, expiring and bound to the starting browser's cookie; only hashes are stored.
@Injectable()
export class OAuthStateService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async begin(
    provider: string,
    params: Record<string, string>,
    actor: string,
  ): Promise<{ state: string; session: string }> {
    const state = randomBytes(32).toString('base64url');
    const session = randomBytes(32).toString('base64url');
    await this.ds.query(
      `INSERT INTO oauth_states (state_hash, provider, session_hash, params, actor, expires_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, now() + make_interval(mins => $6))`,
      [sha256(state), provider, sha256(session), JSON.stringify(params), actor, TTL_MINUTES],
    );
    return { state, session };
  }

  // Checked before marked used, under the row lock: a stray request cannot burn it, two cannot both use it.
  async consume(
    provider: string,
    state: string | undefined,
    session: string | undefined,
  ): Promise<{ params: Record<string, string>; actor: string }> {
    if (!state) throw new BadRequestException('state: missing from the callback');
    return this.ds.transaction(async (m) => {
      const [found] = await m.query<
        {
          provider: string;
          session_hash: string;
          params: Record<string, string>;
          actor: string;
          used: boolean;
          expired: boolean;
        }[]
      >(
        `SELECT provider, session_hash, params, actor, used_at IS NOT NULL AS used,
                expires_at < now() AS expired
         FROM oauth_states WHERE state_hash = $1 FOR UPDATE`,
        [sha256(state)],
      );
      if (!found) throw new BadRequestException('state: unknown (forged, or from another hub)');
      if (found.used) {
        throw new BadRequestException('state: already used; start the connection again');
      }
      if (found.expired) {
        throw new BadRequestException('state: expired; start the connection again');
      }
      if (found.provider !== provider) {
        throw new BadRequestException(`state: issued for ${found.provider}, not ${provider}`);
      }
      const given = Buffer.from(sha256(session ?? ''), 'hex');
      const stored = Buffer.from(found.session_hash, 'hex');
      if (!session || !timingSafeEqual(given, stored)) {
        throw new BadRequestException(
          'state: not bound to this browser session; finish the flow in the browser that started it',
        );
      }
      await m.query(`UPDATE oauth_states SET used_at = now() WHERE state_hash = $1`, [
        sha256(state),
      ]);
      return { params: found.params, actor: found.actor };
    });
  }
}
