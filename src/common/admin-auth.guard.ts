import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Guards every /api/* route (by path, so a new controller cannot forget it). */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!isAdminPath(req.path)) return true;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Hashing first gives equal lengths, so the comparison is constant-time.
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new UnauthorizedException('authorization: a valid admin bearer token is required');
    }
    return true;
  }
}

export function isAdminPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}
