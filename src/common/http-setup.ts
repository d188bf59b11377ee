import { ValidationPipe } from '@nestjs/common';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { adminConsole } from './admin-static';
import { requestIdOf, toErrorBody } from './http-exception.filter';
import { rejectDeepJson, rejectUnsafeInput, SafeInputPipe } from './input-safety';
import { assignRequestId } from './logging';
import { OPENAPI_PUBLIC } from './public.decorator';
import { validationException } from './validation';

/** Routes served outside Nest's router (the raw-body webhook): mounted first, documented by hand. */
export interface RawRoutes {
  mount(app: NestExpressApplication): void;
  openApi: Record<string, object>;
}

/**
 * Routes match exactly: case-sensitive and strict, so `/API/x` or `/api/x/` is no other
 * spelling of `/api/x`. Express reads both settings once, when its router is created, and
 * Nest's adapter creates it in its constructor, so they are set on an instance made here.
 */
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

/** Bearer auth on every operation except those of @Public() routes (and the webhook). */
function declareSecurity(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as Array<Record<string, unknown>>) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
      const open = op[OPENAPI_PUBLIC] === true;
      delete op[OPENAPI_PUBLIC];
      op.security = open ? [] : [{ bearer: [] }];
    }
  }
}

/**
 * Body parsing is ours, not Nest's: the webhook gets its raw bytes (signatures are over the
 * exact body, 256 KB cap) from its own handler; everything else gets JSON, at most
 * MAX_JSON_DEPTH deep, whose text (and the query's, and route parameters') holds no NUL or lone
 * surrogate. Parser errors answer in the same JSON error shape as the rest of the API.
 */
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

  const doc = new DocumentBuilder()
    .setTitle('VPOS CRM hub')
    .setDescription(
      'Verified VPOS.am payment events fanned out to CRMs. Every route needs ' +
        '`Authorization: Bearer <ADMIN_TOKEN>` except the webhook, the OAuth callback, health, ' +
        'metrics and these docs.',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  const errorSchema = {
    type: 'object',
    required: ['statusCode', 'error', 'message', 'requestId'],
    properties: {
      statusCode: { type: 'integer' },
      error: { type: 'string' },
      message: { type: 'string', description: 'names the field and the rule' },
      requestId: { type: 'string' },
    },
  };
  SwaggerModule.setup(
    'docs',
    app,
    () => {
      const document = SwaggerModule.createDocument(app, doc);
      document.components = {
        ...document.components,
        schemas: { ...document.components?.schemas, Error: errorSchema },
      };
      declareSecurity(document);
      if (config.role !== 'worker') Object.assign(document.paths, raw?.openApi);
      return document;
    },
    { jsonDocumentUrl: 'docs-json' },
  );
}
