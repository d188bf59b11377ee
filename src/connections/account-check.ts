import { MANIFESTS } from '../connectors';
import type { AccountCheck } from '../connectors/shared/account-check';

export const ACCOUNT_CHECKS: Readonly<Record<string, Readonly<Record<string, AccountCheck>>>> =
  Object.fromEntries(MANIFESTS.map((m) => [m.type, 'accountChecks' in m ? m.accountChecks : {}]));
