// Regenerates admin/src/api.d.ts from the OpenAPI document of a hub booted on a scratch database.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, startTestHub } from './test-hub';

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const hub = await startTestHub(db);
  try {
    const doc = await (await fetch(`${hub.url}/docs-json`)).text();
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, doc);
    execFileSync('npx', ['openapi-typescript', file, '-o', 'admin/src/api.d.ts'], {
      stdio: 'inherit',
    });
  } finally {
    await hub.close();
    await db.drop();
  }
}

void main();
