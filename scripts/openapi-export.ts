/**
 * Writes the hub's OpenAPI document (what `/docs-json` serves) to a file without listening on a
 * port, for `redocly lint` in scripts/test.sh. Needs PostgreSQL and Redis like the hub itself.
 * Run: npx ts-node --transpile-only scripts/openapi-export.ts [out.json]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildOpenApiDocument } from '../src/common/openapi';
import { loadConfig } from '../src/load-config';
import { createApp } from '../src/main';
import { WEBHOOK_ROUTES } from '../src/webhooks/webhooks.http';

async function main(): Promise<void> {
  const out = process.argv[2] ?? '.test-results/openapi.json';
  // The hub only connects; the server's own `postgres` database always exists.
  const database = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/x');
  database.pathname = '/postgres';
  const config = loadConfig({
    REDIS_URL: 'redis://127.0.0.1:6379',
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
    ...process.env,
    DATABASE_URL: database.toString(),
    APP_ROLE: 'api',
    // Throwaway secrets: the document does not depend on them.
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    VPOS_WEBHOOK_SECRETS: `whsec_${randomBytes(32).toString('base64')}`,
    VPOS_API_TOKEN: randomBytes(12).toString('hex'),
    LOG_LEVEL: 'silent',
  });
  const app = await createApp(config);
  try {
    const document = buildOpenApiDocument(app, config.http.publicBaseUrl, WEBHOOK_ROUTES.openApi);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`OpenAPI document: ${out} (${Object.keys(document.paths).length} paths)`);
  } finally {
    await app.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
