import {
  HttpException,
  Logger,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { toErrorBody } from '../common/http-exception.filter';
import { newRequestId } from '../common/logging';
import { WEBHOOK_MAX_BYTES } from './webhooks.module';
import { WebhooksService } from './webhooks.service';

export const WEBHOOK_PATH = '/webhooks/vpos';

// In front of Express and Nest: their per-request work costs more CPU than the intake itself.
// Refusals can come from anyone, so their warnings are rate-limited.
export function mountWebhookIntake(server: Server, service: WebhooksService): void {
  const logger = new Logger('WebhookIntake');
  const refused = throttledWarning(logger);
  const others = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url?.split('?')[0];
    if (req.method === 'POST' && path === WEBHOOK_PATH) {
      void intake(req, res, service, logger, refused);
    } else {
      for (const listener of others) listener.call(server, req, res);
    }
  });
}

async function intake(
  req: IncomingMessage,
  res: ServerResponse,
  service: WebhooksService,
  logger: Logger,
  refused: (statusCode: number, fields: object) => void,
): Promise<void> {
  const requestId = newRequestId(req, res);
  const reply = (status: number, body: unknown) => {
    if (res.headersSent || res.destroyed) return;
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  };
  try {
    const body = await readBody(req);
    const result = await service.ingest(body, req.headers, req.socket.remoteAddress);
    logger.debug({ requestId, ...result }, 'webhook stored');
    reply(200, result);
  } catch (err) {
    const body = toErrorBody(err, requestId);
    const fields = { requestId, statusCode: body.statusCode, reason: body.message };
    if (err instanceof UnauthorizedException) {
      logger.debug(fields, 'webhook refused');
    } else if (err instanceof HttpException) {
      refused(body.statusCode, fields);
    } else {
      logger.error({ requestId, err, errorId: body.errorId }, 'webhook intake failed');
    }
    reply(body.statusCode, body);
  }
}

const WARN_EVERY_MS = 10_000;

function throttledWarning(logger: Logger): (statusCode: number, fields: object) => void {
  const last = new Map<number, { at: number; suppressed: number }>();
  return (statusCode, fields) => {
    const now = Date.now();
    const seen = last.get(statusCode);
    if (seen && now - seen.at < WARN_EVERY_MS) {
      seen.suppressed += 1;
      return;
    }
    logger.warn({ ...fields, suppressedSinceLast: seen?.suppressed ?? 0 }, 'webhook refused');
    last.set(statusCode, { at: now, suppressed: 0 });
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  const tooLarge = () =>
    new PayloadTooLargeException(`body: exceeds ${WEBHOOK_MAX_BYTES / 1024} KB`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > WEBHOOK_MAX_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > WEBHOOK_MAX_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}
