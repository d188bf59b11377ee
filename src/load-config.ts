import { AppConfig, buildConfig } from './config/app-config';
import { CONFIG_SECTIONS } from './connectors';

/** The hub's configuration: its own variables plus every connector's section. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  return buildConfig(env, CONFIG_SECTIONS);
}
