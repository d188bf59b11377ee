/* A hub process (APP_ROLE from the env: a worker, or the API), so a test can SIGKILL it. */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/load-config';
import { createApp } from '../../src/main';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  await app.listen(config.http.port, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(`ready ${port}\n`);
}

void main();
