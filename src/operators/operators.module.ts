import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { roleModule } from '../common/role-module';
import type { AppRole } from '../config/env.schema';
import { SESSION_AUTHENTICATOR } from '../common/session-auth';
import { OperatorsController } from './operators.controller';
import { OperatorsService } from './operators.service';
import { SessionsService } from './sessions.service';
import { SignInLimiter } from './sign-in-limiter';

@Module({})
export class OperatorsModule {
  static forRole(role: AppRole): DynamicModule {
    return roleModule(OperatorsModule, role, () => ({
      imports: [AuditModule],
      controllers: [OperatorsController],
      providers: [
        OperatorsService,
        SessionsService,
        SignInLimiter,
        { provide: SESSION_AUTHENTICATOR, useExisting: SessionsService },
      ],
      exports: [SESSION_AUTHENTICATOR],
    }));
  }
}
