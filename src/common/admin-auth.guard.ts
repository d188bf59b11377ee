import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { IS_PUBLIC } from './public.decorator';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

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
    const header = req.headers?.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Hashing first gives equal lengths, so the comparison is constant-time.
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new UnauthorizedException('authorization: a valid admin bearer token is required');
    }
    return true;
  }
}
