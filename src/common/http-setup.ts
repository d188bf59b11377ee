import { ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { requestIdOf, toErrorBody } from './http-exception.filter';
import { assignRequestId } from './logging';

/** Routes served outside Nest's router (the raw-body webhook): mounted first, documented by hand. */
export interface RawRoutes {
  mount(app: NestExpressApplication): void;
  openApi: Record<string, object>;
}

/**
 * Body parsing is ours, not Nest's: the webhook gets its raw bytes (signatures are over the
 * exact body, 256 KB cap) from its own handler; everything else gets JSON. Parser errors
 * answer in the same JSON error shape as the rest of the API.
 */
export function configureHttp(
  app: NestExpressApplication,
  config: AppConfig,
  raw?: RawRoutes,
): void {
  app.set('trust proxy', 'loopback');
  // API answers are not cached; computing an ETag per response is wasted work.
  app.set('etag', false);
  app.use(assignRequestId);
  if (config.role !== 'worker') raw?.mount(app);
  app.use(express.json({ limit: '1mb' }));
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const body = toErrorBody(err, requestIdOf(req));
    res.status(body.statusCode).json(body);
  });
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      errorHttpStatusCode: 422,
    }),
  );
  app.enableShutdownHooks();

  const doc = new DocumentBuilder()
    .setTitle('VPOS CRM hub')
    .setDescription(
      'Verified VPOS.am payment events fanned out to CRMs. Every /api route needs ' +
        '`Authorization: Bearer <ADMIN_TOKEN>`.',
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
      if (config.role !== 'worker') Object.assign(document.paths, raw?.openApi);
      return document;
    },
    { jsonDocumentUrl: 'docs-json' },
  );
}
