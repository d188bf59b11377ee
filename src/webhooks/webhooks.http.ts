import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RawRoutes } from '../common/http-setup';
import { mountWebhookIntake, WEBHOOK_PATH } from './webhook-intake.handler';
import { WebhooksService } from './webhooks.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const WEBHOOK_OPENAPI = {
  post: {
    tags: ['webhooks'],
    security: [],
    summary: 'VPOS webhook receiver',
    description:
      'Signed raw body (Standard Webhooks by default, or HMAC-SHA256 of the body). 200 once ' +
      'durably stored; a duplicate also answers 200 and changes nothing.',
    operationId: 'receiveVposWebhook',
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { type: 'object' } } },
    },
    responses: {
      '200': {
        description: 'stored (status accepted) or already stored (status duplicate)',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                status: { enum: ['accepted', 'duplicate'] },
                eventId: { type: 'string', description: 'our id of the stored event (accepted)' },
                providerEventId: { type: 'string', description: 'the dedup key (duplicate)' },
              },
            },
          },
        },
      },
      '400': {
        description: 'malformed JSON or no event id',
        content: { 'application/json': { schema: errorRef } },
      },
      '401': {
        description: 'missing, wrong or stale signature',
        content: { 'application/json': { schema: errorRef } },
      },
      '413': {
        description: 'body over 256 KB',
        content: { 'application/json': { schema: errorRef } },
      },
    },
  },
};

export const WEBHOOK_ROUTES: RawRoutes = {
  mount: (app: NestExpressApplication) =>
    mountWebhookIntake(app.getHttpServer(), app.get(WebhooksService)),
  openApi: { [WEBHOOK_PATH]: WEBHOOK_OPENAPI },
};
