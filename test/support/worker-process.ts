/* A hub worker in its own process, so a test can SIGKILL it. Config comes from the env. */
import { loadConfig } from '../../src/load-config';
import { createApp } from '../../src/main';

async function main(): Promise<void> {
  const app = await createApp(loadConfig(process.env));
  await app.listen(0, '127.0.0.1');
  process.stdout.write('ready\n');
}

void main();
