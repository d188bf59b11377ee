import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/load-config';
import { dataSourceOptions } from '../../src/database/data-source';
import { ensureDatabase, runMigrations } from '../../src/database/db-cli';
import { createApp } from '../../src/main';

export const PG_BASE = 'postgres://postgres@127.0.0.1:5432';
export const MACHINE_REDIS = 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  name: string;
  ds: DataSource;
  drop(): Promise<void>;
}

/** A fresh database per test file, with the real migrations applied. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `vpos_hub_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = `${PG_BASE}/${name}`;
  await ensureDatabase(url);
  await runMigrations(url);
  const ds = new DataSource(dataSourceOptions(url, 4));
  await ds.initialize();
  return {
    url,
    name,
    ds,
    drop: async () => {
      await ds.destroy();
      const admin = new DataSource({ type: 'postgres', url: `${PG_BASE}/postgres` });
      await admin.initialize();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('hub-test-webhook-secret-32-bytes!').toString('base64')}`;
export const TEST_VPOS_TOKEN = 'vpos-merchant-test-token';

export interface TestHub {
  app: NestExpressApplication;
  url: string;
  config: AppConfig;
  close(): Promise<void>;
}

/** One encryption key per test run, so several hubs on one database can read each other. */
const TEST_ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** The environment a test hub runs with (also handed to child worker processes). */
export function testEnv(
  db: TestDatabase,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    REDIS_URL: MACHINE_REDIS,
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    VPOS_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
    VPOS_API_TOKEN: TEST_VPOS_TOKEN,
    LOG_LEVEL: 'silent',
    OUTBOX_POLL_MS: '50',
    PORT: '0',
    ...env,
  };
}

/** Boots the real hub in-process on a random port with a test-specific config. */
export async function startTestHub(
  db: TestDatabase,
  env: Record<string, string> = {},
): Promise<TestHub> {
  const config = loadConfig(testEnv(db, env));
  const app = await createApp(config);
  await app.listen(config.http.port, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    close: async () => {
      await app.close();
      await deleteRedisPrefix(config.redis.url, config.redis.prefix);
    },
  };
}

async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // a test that stopped its own Redis has nothing to clean
  } finally {
    redis.disconnect();
  }
}

/** Polls until `fn` returns a truthy value. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 15000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const adminHeaders = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
