import {
  PayloadTooLargeException,
  UnprocessableEntityException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type busboy from 'busboy';
import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReportSource } from './reconciliation.service';
import { ColumnMap, mergeColumns } from './report-layout';
import type { Period } from './report-matcher';

const MAX_PERIOD_DAYS = 366;
const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export interface ReportOptions {
  period: Period | null;
  columns: ColumnMap;
  async: boolean;
}

function refuse(message: string): never {
  throw new UnprocessableEntityException(message);
}

function instant(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
  ) {
    refuse(`${field}: must be an ISO 8601 date or date-time`);
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) refuse(`${field}: must be an ISO 8601 date or date-time`);
  return at;
}

export function readOptions(raw: Record<string, unknown>, base: ColumnMap): ReportOptions {
  for (const key of ['from', 'to', 'async', 'columns']) {
    if (Array.isArray(raw[key])) refuse(`${key}: must be given once`);
  }
  const from = instant(raw.from, 'from');
  const to = instant(raw.to, 'to');
  if ((from === undefined) !== (to === undefined)) {
    refuse(from ? 'to: is required with from' : 'from: is required with to');
  }
  if (from && to && from >= to) refuse('to: must be after from');
  if (from && to && to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86400_000) {
    refuse(`to: the period must span at most ${MAX_PERIOD_DAYS} days`);
  }
  const asyncValue = raw.async;
  if (![undefined, 'true', 'false', true, false].includes(asyncValue as string)) {
    refuse('async: must be true or false');
  }
  let columns: unknown = raw.columns;
  if (typeof columns === 'string') {
    try {
      columns = JSON.parse(columns);
    } catch {
      refuse('columns: must be a JSON object of field → column name');
    }
  }
  const merged = mergeColumns(base, columns, 'columns');
  if ('problem' in merged) refuse(merged.problem);
  return {
    period: from && to ? { from, to } : null,
    columns: merged.columns,
    async: asyncValue === 'true' || asyncValue === true,
  };
}

/**
 * Takes the upload to a temporary file first: the request is received at disk speed (inside the
 * server's request timeout), then the file is parsed at database speed.
 */
async function spooled<T>(input: Readable, use: (stream: Readable) => Promise<T>): Promise<T> {
  const file = join(tmpdir(), `vposhub-report-${randomBytes(8).toString('hex')}.csv`);
  try {
    await pipeline(input, createWriteStream(file, { mode: 0o600 }));
    return await use(createReadStream(file));
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function jsonReport(req: Request, query: Record<string, unknown>, base: ColumnMap) {
  const body: unknown = req.body;
  const rows = Array.isArray(body) ? body : (body as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) refuse('rows: must be an array of row objects');
  if (rows.length === 0) refuse('rows: the report is empty');
  const fields = Array.isArray(body) ? {} : { ...(body as Record<string, unknown>) };
  delete fields.rows;
  for (const key of Object.keys(fields)) {
    if (!['from', 'to', 'columns', 'async'].includes(key)) refuse(`${key}: unknown field`);
  }
  const options = readOptions({ ...query, ...fields }, base);
  return { source: { kind: 'json' as const, rows }, options };
}

/**
 * Multipart: fields first (they decide how the file is read), then the file field `report`,
 * streamed straight into `run`; a second file or a field after the file is refused.
 */
async function multipartReport(
  req: Request,
  query: Record<string, unknown>,
  base: ColumnMap,
  run: (source: ReportSource, options: ReportOptions) => Promise<unknown>,
): Promise<unknown> {
  const { default: openMultipart } = await import('busboy');
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = openMultipart({
        headers: req.headers,
        limits: { files: 1, fields: 10, fieldSize: 16 * 1024, fileSize: MAX_UPLOAD_BYTES },
      });
    } catch {
      reject(new UnprocessableEntityException('content-type: multipart boundary is missing'));
      return;
    }
    const fields: Record<string, unknown> = { ...query };
    let work: Promise<unknown> | undefined;
    let failure: Error | undefined;
    const fail = (err: unknown) =>
      (failure ??= err instanceof Error ? err : new Error(String(err)));
    parser.on('field', (name, value) => {
      if (work)
        fail(new UnprocessableEntityException(`${name}: fields must precede the report file`));
      else fields[name] = fields[name] === undefined ? value : [fields[name], value];
    });
    parser.on('file', (name, file) => {
      if (name !== 'report' || work) {
        fail(new UnprocessableEntityException(`${name}: the only file field is report`));
        file.resume();
        return;
      }
      file.on('limit', () =>
        fail(new PayloadTooLargeException(`report: larger than ${MAX_UPLOAD_BYTES} bytes`)),
      );
      const options = (() => {
        try {
          return readOptions(fields, base);
        } catch (err) {
          fail(err);
          return undefined;
        }
      })();
      work = spooled(file, (stream) =>
        failure || !options ? Promise.resolve(undefined) : run({ kind: 'csv', stream }, options),
      ).catch((err: unknown) => {
        fail(err);
        file.resume();
      });
    });
    parser.on('error', (err: Error) =>
      reject(new UnprocessableEntityException(`report: ${err.message}`)),
    );
    parser.on('close', () => {
      void (async () => {
        const result = await work;
        if (failure) reject(failure);
        else if (!work)
          reject(new UnprocessableEntityException('report: a file field is required'));
        else resolve(result);
      })();
    });
    req.pipe(parser);
  });
}

export async function withReport<T>(
  req: Request,
  base: ColumnMap,
  run: (source: ReportSource, options: ReportOptions) => Promise<T>,
): Promise<T> {
  const query = req.query as Record<string, unknown>;
  const type = mediaType(req);
  if (type === 'application/json') {
    const { source, options } = jsonReport(req, query, base);
    return run(source, options);
  }
  if (type === 'text/csv') {
    const options = readOptions(query, base);
    return spooled(req, (stream) => run({ kind: 'csv', stream }, options));
  }
  if (type === 'multipart/form-data') {
    return (await multipartReport(req, query, base, run)) as T;
  }
  throw new UnsupportedMediaTypeException(
    'content-type: must be text/csv, multipart/form-data (file field report) or application/json',
  );
}
