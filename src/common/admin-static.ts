import express, { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// Bull Board's page sets <base>, styles inline and loads its fonts from Google.
export const QUEUE_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
  "font-src 'self' https://fonts.gstatic.com",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// The queue dashboard owns /admin/queues; other spellings of it get a 404, not the console.
const QUEUE_BOARD = /^\/queues(\/|$)/i;

/** admin/dist beside the sources (ts-node, tests) or beside dist/ (the built hub). */
export function adminDistDir(): string | undefined {
  return [resolve(__dirname, '../../admin/dist'), resolve(__dirname, '../../../admin/dist')].find(
    (dir) => existsSync(join(dir, 'index.html')),
  );
}

function secure(req: Request, res: Response, next: NextFunction): void {
  res.setHeader(
    'Content-Security-Policy',
    QUEUE_BOARD.test(req.path) ? QUEUE_BOARD_CSP : ADMIN_CSP,
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
}

/** The console's static files at /admin; any other GET under it is the SPA's index.html. */
export function adminConsole(dir = adminDistDir()): express.Router {
  const router = express.Router({ caseSensitive: true, strict: true });
  router.use(secure);
  if (!dir) {
    router.use((req, res, next) => {
      if (QUEUE_BOARD.test(req.path)) return next();
      res.status(503).type('text/plain').send('The console is not built: run npm run build.');
    });
    return router;
  }
  router.use(
    '/assets',
    express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  router.use(express.static(dir, { index: false, maxAge: 0 }));
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (QUEUE_BOARD.test(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(dir, 'index.html'));
  });
  return router;
}
