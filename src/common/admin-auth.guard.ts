import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { requestIdOf, toErrorBody } from './http-exception.filter';
import { IS_PUBLIC } from './public.decorator';
import {
  CSRF_HEADER,
  readCookie,
  SESSION_AUTHENTICATOR,
  SESSION_COOKIE,
  SessionAuthenticator,
  setOperator,
} from './session-auth';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const ADMIN_AUTH_MESSAGE = 'authorization: a valid admin bearer token is required';

// The one admin check, shared by the API guard and the queue dashboard.
export function isAdminRequest(req: Request, expectedDigest: Buffer): boolean {
  const header = req.headers?.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  // Hashing first gives equal lengths, so the comparison is constant-time.
  return !!match && timingSafeEqual(digest(match[1]), expectedDigest);
}

export function adminOnly(config: AppConfig): RequestHandler {
  const expected = digest(config.adminToken);
  return (req, res, next) => {
    if (isAdminRequest(req, expected)) return next();
    const body = toErrorBody(new UnauthorizedException(ADMIN_AUTH_MESSAGE), requestIdOf(req));
    res.status(401).setHeader('WWW-Authenticate', 'Bearer');
    res.json(body);
  };
}

// Deny by default, decided per handler (never by path): the admin bearer token, or an operator's
// session cookie plus its CSRF token on changes.
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
    @Optional() @Inject(SESSION_AUTHENTICATOR) private readonly sessions?: SessionAuthenticator,
  ) {
    this.expected = digest(config.adminToken);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const open = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (open) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers?.authorization;
    const token = readCookie(req, SESSION_COOKIE);
    if (header === undefined && token && this.sessions) {
      return this.bySession(req, token, this.sessions);
    }
    if (!isAdminRequest(req, this.expected)) throw new UnauthorizedException(ADMIN_AUTH_MESSAGE);
    return true;
  }

  private async bySession(
    req: Request,
    token: string,
    sessions: SessionAuthenticator,
  ): Promise<boolean> {
    const operator = await sessions.authenticate(token);
    if (!operator) {
      throw new UnauthorizedException('authorization: the session has expired; sign in again');
    }
    if (!SAFE_METHODS.has(req.method)) {
      const presented = req.headers[CSRF_HEADER];
      if (typeof presented !== 'string' || !sessions.csrfMatches(token, presented)) {
        throw new ForbiddenException('x-csrf-token: the session CSRF token is required');
      }
    }
    setOperator(req, operator);
    return true;
  }
}
