import { ValidationPipe } from '@nestjs/common';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { adminConsole } from './admin-static';
import { requestIdOf, toErrorBody } from './http-exception.filter';
import { rejectDeepJson, rejectUnsafeInput, SafeInputPipe } from './input-safety';
import { assignRequestId } from './logging';
import { buildOpenApiDocument } from './openapi';
import { validationException } from './validation';

export interface RawRoutes {
  mount(app: NestExpressApplication): void;
  openApi: Record<string, object>;
}

// Strict, case-sensitive routing: Express reads both once, when Nest's adapter creates its router.
export function createExpressAdapter(): ExpressAdapter {
  const instance = express();
  instance.set('case sensitive routing', true);
  instance.set('strict routing', true);
  instance.disable('x-powered-by');
  return new ExpressAdapter(instance);
}

/** A client that sends its request slowly (slowloris) is cut off with a 408 within seconds. */
export const HTTP_TIMEOUTS = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  checkEveryMs: 1_000,
} as const;

function limitSlowClients(server: Server): void {
  server.headersTimeout = HTTP_TIMEOUTS.headersMs;
  server.requestTimeout = HTTP_TIMEOUTS.requestMs;
  server.keepAliveTimeout = HTTP_TIMEOUTS.keepAliveMs;
  // Node checks the two timeouts above only this often (30 s unless set before listening).
  Object.assign(server, { connectionsCheckingInterval: HTTP_TIMEOUTS.checkEveryMs });
}

// Our own body parsing: the webhook keeps its raw bytes (the signature covers them).
export function configureHttp(
  app: NestExpressApplication,
  config: AppConfig,
  raw?: RawRoutes,
): void {
  app.set('trust proxy', 'loopback');
  // API answers are not cached; computing an ETag per response is wasted work.
  app.set('etag', false);
  limitSlowClients(app.getHttpServer());
  app.use(assignRequestId);
  if (config.role !== 'worker') {
    raw?.mount(app);
    app.use('/admin', adminConsole());
  }
  app.use(express.json({ limit: '1mb', verify: rejectDeepJson }));
  app.use(rejectUnsafeInput);
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const body = toErrorBody(err, requestIdOf(req));
    res.status(body.statusCode).json(body);
  });
  app.useGlobalPipes(
    new SafeInputPipe(),
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      exceptionFactory: validationException,
    }),
  );
  app.enableShutdownHooks();

  SwaggerModule.setup(
    'docs',
    app,
    () =>
      buildOpenApiDocument(
        app,
        config.http.publicBaseUrl,
        config.role !== 'worker' ? raw?.openApi : undefined,
      ),
    { jsonDocumentUrl: 'docs-json' },
  );
}
