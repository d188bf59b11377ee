import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EXCEPTION_TYPES } from './exception-types';
import { REPORT_FIELDS, REPORT_STATUSES } from './report-layout';

const nullable = (type: string): SchemaObject => ({ type, nullable: true });

const ROW_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    `A report row keyed by column name. Default layout: ${REPORT_FIELDS.join(', ')}; ` +
    `statuses map to ${REPORT_STATUSES.join(', ')} (VPOS names such as succeeded or declined too)`,
  additionalProperties: true,
  example: {
    provider_reference: 'ps_123',
    order_id: 'A-1001',
    amount_minor: 1250000,
    currency: 'AMD',
    status: 'paid',
    paid_at: '2026-12-06T10:15:00Z',
    refund_amount_minor: 0,
  },
};

/** The JSON form; text/csv is the CSV itself and multipart the fields then the file `report`. */
export const REPORT_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    'application/json: this object, or only the array of rows. text/csv: the CSV (a header row, ' +
    'then one payment per line). multipart/form-data: fields from, to, columns, async, then the ' +
    'file field report.',
  required: ['rows'],
  properties: {
    rows: { type: 'array', items: ROW_SCHEMA },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    columns: { type: 'object', additionalProperties: { type: 'string' } },
    async: { type: 'boolean' },
  },
};

const TYPE_SUMMARY: SchemaObject = {
  type: 'object',
  properties: {
    count: { type: 'integer' },
    totals: { type: 'object', additionalProperties: { type: 'integer' } },
  },
};

export const EXCEPTION_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string', enum: [...EXCEPTION_TYPES] },
    line: nullable('integer'),
    orderId: nullable('string'),
    providerReference: nullable('string'),
    connectionId: nullable('string'),
    connectionType: nullable('string'),
    amountMinor: nullable('integer'),
    currency: nullable('string'),
    detail: { type: 'object' },
    status: { type: 'string', enum: ['open', 'resolved', 'repaired'] },
    repairs: { type: 'array', items: { type: 'string' } },
  },
};

export const RUN_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'status', 'summary', 'exceptions'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['ingesting', 'queued', 'running', 'completed', 'failed'] },
    source: { type: 'string', enum: ['upload', 'scheduled_report', 'scheduled_lookup'] },
    period: {
      type: 'object',
      properties: { from: nullable('string'), to: nullable('string') },
    },
    error: nullable('string'),
    summary: {
      type: 'object',
      properties: {
        rows: { type: 'integer' },
        matched: { type: 'integer' },
        exceptions: { type: 'integer' },
        byType: {
          type: 'object',
          properties: Object.fromEntries(EXCEPTION_TYPES.map((t) => [t, TYPE_SUMMARY])),
        },
      },
    },
    destinations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          connectionId: { type: 'string' },
          type: { type: 'string' },
          checked: { type: 'integer' },
          supported: { type: 'boolean' },
          reason: { type: 'string' },
          error: { type: 'string' },
        },
      },
    },
    exceptions: {
      type: 'object',
      properties: {
        page: { type: 'integer' },
        pageSize: { type: 'integer' },
        total: { type: 'integer' },
        items: {
          type: 'array',
          items: EXCEPTION_SCHEMA,
        },
      },
    },
  },
};

export const BULK_REPAIR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['runId', 'action', 'repaired', 'failed', 'errors'],
  properties: {
    runId: { type: 'string', format: 'uuid' },
    action: { type: 'string', enum: ['lookup', 'redeliver', 'resolve'] },
    repaired: { type: 'integer' },
    failed: { type: 'integer' },
    errors: { type: 'array', items: { type: 'string' } },
  },
};

export const RUN_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['page', 'pageSize', 'total', 'items'],
  properties: {
    page: { type: 'integer' },
    pageSize: { type: 'integer' },
    total: { type: 'integer' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'status', 'source', 'createdAt', 'rows', 'matched', 'exceptions', 'open'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          status: RUN_SCHEMA.properties!.status,
          source: RUN_SCHEMA.properties!.source,
          period: RUN_SCHEMA.properties!.period,
          actor: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          finishedAt: nullable('string'),
          rows: { type: 'integer' },
          matched: { type: 'integer' },
          exceptions: { type: 'integer' },
          open: { type: 'integer', description: 'exceptions neither repaired nor resolved' },
        },
      },
    },
  },
};
