import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUrl } from 'class-validator';
import { ConfigSection, requireSecretWithId, trim, URL_OPTS } from '../../config/config-section';

export class Bitrix24Env {
  @IsOptional()
  @Transform(trim)
  @IsString()
  BITRIX24_CLIENT_ID?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  BITRIX24_CLIENT_SECRET?: string;

  @Transform(trim)
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  BITRIX24_OAUTH_SERVER = 'https://oauth.bitrix.info';
}

export interface Bitrix24Config {
  clientId?: string;
  clientSecret?: string;
  oauthServer: string;
}

declare module '../../config/app-config' {
  interface CrmConfig {
    bitrix24: Bitrix24Config;
  }
}

export const BITRIX24_CONFIG: ConfigSection<Bitrix24Env, Bitrix24Config> = {
  key: 'bitrix24',
  schema: Bitrix24Env,
  load: (env, problems) => {
    requireSecretWithId('BITRIX24', env.BITRIX24_CLIENT_ID, env.BITRIX24_CLIENT_SECRET, problems);
    return {
      clientId: env.BITRIX24_CLIENT_ID || undefined,
      clientSecret: env.BITRIX24_CLIENT_SECRET || undefined,
      oauthServer: env.BITRIX24_OAUTH_SERVER.replace(/\/+$/, ''),
    };
  },
};
