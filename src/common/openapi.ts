import { applyDecorators } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  OperationObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { OPENAPI_PUBLIC } from './public.decorator';

export const ERROR_SCHEMA_REF = '#/components/schemas/Error';

const ERROR_SCHEMA = {
  type: 'object',
  description: 'The one error shape of every route',
  required: ['statusCode', 'error', 'message', 'requestId'],
  properties: {
    statusCode: { type: 'integer', example: 422 },
    error: { type: 'string', example: 'Unprocessable Entity' },
    message: {
      type: 'string',
      description: 'names the field and the rule',
      example: 'limit: must be at most 500',
    },
    requestId: { type: 'string', description: 'also in the X-Request-Id response header' },
    errorId: { type: 'string', description: 'only for unexpected errors; quote it when reporting' },
  },
};

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 424 | 429 | 502 | 503;

export function errorResponse(description: string): ResponseObject {
  return { description, content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF } } } };
}

export const ApiErrors = (errors: Partial<Record<ErrorStatus, string>>) =>
  applyDecorators(
    ...Object.entries(errors).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, schema: { $ref: ERROR_SCHEMA_REF } }),
    ),
  );

const TAGS: Record<string, string> = {
  connections: 'Destinations (CRMs, sheets, webhooks): OAuth and non-OAuth connect, mapping',
  deliveries: 'One row per event and destination: list, dead letters, replay',
  payments: "An order's payment state, audit trail and manual review",
  'payment links': 'Payment links with their WhatsApp text, and fixed-price products',
  webhooks: 'Signed VPOS notifications and CRM events (payment links from the CRM)',
  reconciliation: 'Provider reports matched against the journal and every CRM; repairs',
  operators: 'Console operators and their sessions',
  health: 'Liveness and readiness for orchestrators',
  metrics: 'Prometheus metrics',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/** Answers from the global guard, JSON parser and pipes, which no controller declares. */
function completeOperations(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as (OperationObject & Record<string, unknown>) | undefined;
      if (!op) continue;
      const open = op[OPENAPI_PUBLIC] === true;
      delete op[OPENAPI_PUBLIC];
      op.security = open ? [] : [{ bearer: [] }];
      const add = (status: number, description: string) => {
        op.responses[status] ??= errorResponse(description);
      };
      if (!open) add(401, 'missing or wrong admin bearer token');
      if (op.requestBody) {
        add(400, 'malformed JSON');
        add(413, 'JSON body over 1 MB');
      }
      if (op.parameters?.some((p) => 'in' in p && p.in === 'path')) {
        add(400, 'a path segment is not percent-encoded UTF-8');
      }
      add(422, 'invalid input: the message names the field or parameter and the rule');
      op.responses = Object.fromEntries(
        Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)),
      );
    }
  }
}

export function buildOpenApiDocument(
  app: INestApplication,
  publicBaseUrl: string,
  extraPaths: Record<string, object> = {},
): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('VPOS CRM hub')
    .setDescription(
      'Verified VPOS.am payment events fanned out to CRMs. Every route needs ' +
        '`Authorization: Bearer <ADMIN_TOKEN>` except the webhook, the OAuth callback, health, ' +
        'metrics and these docs. Every error answers in one JSON shape (`Error`).',
    )
    .setVersion('0.1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer(publicBaseUrl, 'this hub')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ADMIN_TOKEN',
        description: 'the admin token',
      },
      'bearer',
    );
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const config = builder.build();
  config.info.contact = { name: 'Hub operator', url: `${publicBaseUrl}/docs` };
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Error: ERROR_SCHEMA },
  };
  completeOperations(document);
  Object.assign(document.paths, extraPaths);
  return document;
}
