import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
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
  SignedInOperator,
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

/** A signed-in operator: any session may read; a change also needs the session's CSRF token. */
export async function operatorFromSession(
  req: Request,
  token: string,
  sessions: SessionAuthenticator,
): Promise<SignedInOperator> {
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
  return operator;
}

// Express middleware (the queue dashboard): the same two ways in as AdminAuthGuard.
export function adminOnly(config: AppConfig, sessions?: SessionAuthenticator): RequestHandler {
  const expected = digest(config.adminToken);
  const refuse = (req: Request, res: Response, err: HttpException) => {
    if (err.getStatus() === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(err.getStatus()).json(toErrorBody(err, requestIdOf(req)));
  };
  return (req, res, next) => {
    if (isAdminRequest(req, expected)) return next();
    const token = readCookie(req, SESSION_COOKIE);
    if (req.headers.authorization !== undefined || !token || !sessions) {
      return refuse(req, res, new UnauthorizedException(ADMIN_AUTH_MESSAGE));
    }
    operatorFromSession(req, token, sessions).then(
      (operator) => {
        setOperator(req, operator);
        next();
      },
      (err: unknown) => (err instanceof HttpException ? refuse(req, res, err) : next(err)),
    );
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
    setOperator(req, await operatorFromSession(req, token, sessions));
    return true;
  }
}
