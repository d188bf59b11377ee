/** What a REST method handler sees and returns. */
import type { Params } from './php-values';
import type { Portal } from './portal-model';

export interface AppInfo {
  clientId: string;
  /** L local, F free, D demo, T trial, P paid. */
  status: string;
}

export interface CallContext {
  portal: Portal;
  userId: number;
  authType: 'oauth' | 'webhook';
  scope: string[];
  app: AppInfo;
  now: number;
}

export interface MethodResult {
  result: unknown;
  total?: number;
  next?: number;
}

export interface MethodSpec {
  /** Scope the token or webhook needs; none for `profile`, `app.info`, `scope`. */
  scope?: string;
  /** Needs an application (OAuth) context; over a webhook it fails with WRONG_AUTH_TYPE. */
  appOnly?: boolean;
  run(params: Params, ctx: CallContext): MethodResult;
}

export type MethodTable = Record<string, MethodSpec>;
