import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { requestIdOf, toErrorBody } from './http-exception.filter';
import { IS_PUBLIC } from './public.decorator';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

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

// Deny by default, decided per handler (never by path), so no URL spelling reaches an admin route.
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const open = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (open) return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!isAdminRequest(req, this.expected)) throw new UnauthorizedException(ADMIN_AUTH_MESSAGE);
    return true;
  }
}
