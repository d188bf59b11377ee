import { INestApplication, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import { WEBHOOK_MAX_BYTES } from '../webhooks/webhooks.module';
import { requestIdOf, toErrorBody } from './http-exception.filter';
import { assignRequestId } from './logging';

/**
 * Body parsing is ours, not Nest's: the webhook route gets its raw bytes (signatures are over
 * the exact body) with a 256 KB cap; everything else gets JSON. Parser errors answer in the
 * same JSON error shape as the rest of the API.
 */
export function configureHttp(app: INestApplication): void {
  app.use(assignRequestId);
  app.use('/webhooks', express.raw({ type: () => true, limit: WEBHOOK_MAX_BYTES }));
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
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), {
    jsonDocumentUrl: 'docs-json',
  });
}
