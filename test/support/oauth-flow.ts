import request from 'supertest';
import { CredentialVault } from '../../src/credentials/credential-vault';
import type { OAuthCredentials } from '../../src/credentials/oauth-provider';
import { freePort } from './redis-server';
import { adminHeaders, createTestDatabase, startTestHub, TestDatabase, TestHub } from './test-hub';

/**
 * What a browser does: start (admin), keep the cookie, follow the provider's consent (an
 * auto-approving emulator) to the hub's callback URL, which is returned unvisited.
 */
export async function consent(hub: TestHub, startPath: string) {
  const start = await request(hub.url).get(startPath).set(adminHeaders);
  expect(start.status).toBe(302);
  const cookie = (start.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
  const consentPage = await fetch(start.headers.location, { redirect: 'manual' });
  expect(consentPage.status).toBe(302);
  return { start, cookie, callback: new URL(consentPage.headers.get('location')!) };
}

/** The decrypted credentials of a connection, and a way to overwrite them (time travel). */
export function credentialsOf(hub: TestHub, db: TestDatabase) {
  const vault = hub.app.get(CredentialVault);
  return {
    read: async (id: string) => {
      const [row] = await db.ds.query<{ credentials: Buffer }[]>(
        `SELECT credentials FROM connections WHERE id = $1`,
        [id],
      );
      return vault.open<OAuthCredentials>(id, row.credentials);
    },
    write: (id: string, credentials: OAuthCredentials) =>
      db.ds.query(`UPDATE connections SET credentials = $2 WHERE id = $1`, [
        id,
        vault.seal(id, credentials),
      ]),
  };
}

/**
 * A test database, a provider emulator and a hub on a port known in advance (the emulator
 * must know the hub's callback URL), started before the suite and closed after it.
 */
export function useOAuthHub<E extends { close(): Promise<void> }>(
  startEmulator: (hubUrl: string) => Promise<E>,
  env: (emulator: E) => Record<string, string>,
): { db: TestDatabase; hub: TestHub; emulator: E } {
  const t = {} as { db: TestDatabase; hub: TestHub; emulator: E };
  beforeAll(async () => {
    t.db = await createTestDatabase();
    const port = await freePort();
    const hubUrl = `http://127.0.0.1:${port}`;
    t.emulator = await startEmulator(hubUrl);
    t.hub = await startTestHub(t.db, {
      PORT: String(port),
      PUBLIC_BASE_URL: hubUrl,
      ...env(t.emulator),
    });
  });
  afterAll(async () => {
    await t.hub?.close();
    await t.emulator?.close();
    await t.db?.drop();
  });
  return t;
}
