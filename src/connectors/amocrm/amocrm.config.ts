import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUrl } from 'class-validator';
import { ConfigSection, requireSecretWithId, trim, URL_OPTS } from '../../config/config-section';

export class AmocrmEnv {
  @IsOptional()
  @Transform(trim)
  @IsString()
  AMOCRM_CLIENT_ID?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  AMOCRM_CLIENT_SECRET?: string;

  @Transform(trim)
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  AMOCRM_AUTHORIZE_URL = 'https://www.amocrm.ru/oauth';
}

export interface AmocrmConfig {
  clientId?: string;
  clientSecret?: string;
  authorizeUrl: string;
}

declare module '../../config/app-config' {
  interface CrmConfig {
    amocrm: AmocrmConfig;
  }
}

export const AMOCRM_CONFIG: ConfigSection<AmocrmEnv, AmocrmConfig> = {
  key: 'amocrm',
  schema: AmocrmEnv,
  load: (env, problems) => {
    requireSecretWithId('AMOCRM', env.AMOCRM_CLIENT_ID, env.AMOCRM_CLIENT_SECRET, problems);
    return {
      clientId: env.AMOCRM_CLIENT_ID || undefined,
      clientSecret: env.AMOCRM_CLIENT_SECRET || undefined,
      authorizeUrl: env.AMOCRM_AUTHORIZE_URL,
    };
  },
};
