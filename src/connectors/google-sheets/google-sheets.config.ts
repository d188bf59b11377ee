import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUrl } from 'class-validator';
import { ConfigSection, requireSecretWithId, trim, URL_OPTS } from '../../config/config-section';

export class GoogleEnv {
  @IsOptional()
  @Transform(trim)
  @IsString()
  GOOGLE_CLIENT_ID?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  GOOGLE_CLIENT_SECRET?: string;

  @Transform(trim)
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  GOOGLE_AUTHORIZE_URL = 'https://accounts.google.com/o/oauth2/v2/auth';

  @Transform(trim)
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

  @Transform(trim)
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  GOOGLE_SHEETS_API_URL = 'https://sheets.googleapis.com';

  /** Where a row's link opens (the emulator in sandbox mode). */
  @Transform(trim)
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  GOOGLE_SHEETS_UI_URL = 'https://docs.google.com';
}

export interface GoogleConfig {
  clientId?: string;
  clientSecret?: string;
  authorizeUrl: string;
  tokenUrl: string;
  sheetsApiUrl: string;
  sheetsUiUrl: string;
}

declare module '../../config/app-config' {
  interface CrmConfig {
    google: GoogleConfig;
  }
}

export const GOOGLE_CONFIG: ConfigSection<GoogleEnv, GoogleConfig> = {
  key: 'google',
  schema: GoogleEnv,
  load: (env, problems) => {
    requireSecretWithId('GOOGLE', env.GOOGLE_CLIENT_ID, env.GOOGLE_CLIENT_SECRET, problems);
    return {
      clientId: env.GOOGLE_CLIENT_ID || undefined,
      clientSecret: env.GOOGLE_CLIENT_SECRET || undefined,
      authorizeUrl: env.GOOGLE_AUTHORIZE_URL,
      tokenUrl: env.GOOGLE_TOKEN_URL,
      sheetsApiUrl: env.GOOGLE_SHEETS_API_URL.replace(/\/+$/, ''),
      sheetsUiUrl: env.GOOGLE_SHEETS_UI_URL.replace(/\/+$/, ''),
    };
  },
};
