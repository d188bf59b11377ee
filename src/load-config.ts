import { AppConfig, buildConfig } from './config/app-config';
import { CONFIG_SECTIONS } from './connectors';
import { VPOS_CONFIG } from './providers/vpos/vpos.config';
import { RECONCILIATION_CONFIG } from './reconciliation/reconciliation.config';

export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  return buildConfig(env, [VPOS_CONFIG, RECONCILIATION_CONFIG, ...CONFIG_SECTIONS]);
}
