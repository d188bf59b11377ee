import { DynamicModule, Provider, Type } from '@nestjs/common';
import type { AppRole } from '../config/env.schema';

export interface RoleParts extends Omit<DynamicModule, 'module' | 'controllers'> {
  controllers?: Type[];
  workers?: Provider[];
}

const built = new WeakMap<Type, Map<AppRole, DynamicModule>>();

// Built once per role: Nest tells dynamic modules apart by reference, so a copy would run processors twice.
export function roleModule(module: Type, role: AppRole, parts: () => RoleParts): DynamicModule {
  let byRole = built.get(module);
  if (!byRole) built.set(module, (byRole = new Map<AppRole, DynamicModule>()));
  const cached = byRole.get(role);
  if (cached) return cached;
  const { controllers = [], workers = [], providers = [], ...rest } = parts();
  const dynamic: DynamicModule = {
    ...rest,
    module,
    controllers: role === 'worker' ? [] : controllers,
    providers: [...providers, ...(role === 'api' ? [] : workers)],
  };
  byRole.set(role, dynamic);
  return dynamic;
}
