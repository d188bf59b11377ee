import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureHttp, createExpressAdapter } from './common/http-setup';
import { AppConfig, ConfigError } from './config/app-config';
import { modeBanner } from './config/mode-banner';
import { loadConfig } from './load-config';
import { WEBHOOK_ROUTES } from './webhooks/webhooks.http';

export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forConfig(config),
    createExpressAdapter(),
    {
      bodyParser: false,
      bufferLogs: true,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(Logger));
  configureHttp(app, config, WEBHOOK_ROUTES);
  return app;
}

async function bootstrap(): Promise<void> {
  // Real environment variables win over .env (process.loadEnvFile never overrides them).
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const app = await createApp(config);
  await app.listen(config.http.port, '0.0.0.0');
  const logger = app.get(Logger);
  logger.log(
    `vpos-hub (${config.role}) listening on ${config.http.publicBaseUrl} (port ${config.http.port})`,
  );
  for (const line of modeBanner(config)) logger.log(line);
}

if (require.main === module) void bootstrap();
