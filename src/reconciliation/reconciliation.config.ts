import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUrl, Matches } from 'class-validator';
import { ConfigSection, parseJsonObjectVar, trim, URL_OPTS } from '../config/config-section';
import { ColumnMap, DEFAULT_COLUMNS, mergeColumns } from './report-layout';

export class ReconciliationEnv {
  /** JSON object: report field → the provider's column name (over the default layout). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  RECONCILIATION_COLUMNS?: string;

  @IsOptional()
  @Transform(trim)
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  RECONCILIATION_REPORT_URL?: string;

  /** `Header-Name: value`, or only a value (sent as Authorization). A secret: never logged. */
  @IsOptional()
  @IsString()
  RECONCILIATION_REPORT_AUTH_HEADER?: string;

  /** Cron pattern of the daily run (`off` disables it), in RECONCILIATION_TIME_ZONE. */
  @Transform(trim)
  @Matches(/^(off|(\S+\s+){4}\S+)$/, { message: 'must be a 5-field cron pattern or off' })
  RECONCILIATION_SCHEDULE = '30 0 * * *';

  @Transform(trim)
  @Matches(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, { message: 'must be an IANA time zone' })
  RECONCILIATION_TIME_ZONE = 'Asia/Yerevan';
}

export interface ReconciliationConfig {
  columns: ColumnMap;
  reportUrl?: string;
  reportAuth?: { name: string; value: string };
  schedule: string | null;
  timeZone: string;
}

declare module '../config/app-config' {
  interface AppConfig {
    reconciliation: ReconciliationConfig;
  }
}

function authHeader(raw: string | undefined, problems: string[]) {
  const value = raw?.trim();
  if (!value) return undefined;
  const m = /^([A-Za-z0-9-]{1,64}):\s*(.+)$/.exec(value);
  const header = m ? { name: m[1].toLowerCase(), value: m[2] } : { name: 'authorization', value };
  if (/[\r\n]/.test(header.value)) {
    problems.push('RECONCILIATION_REPORT_AUTH_HEADER must be one line');
    return undefined;
  }
  return header;
}

export const RECONCILIATION_CONFIG: ConfigSection<ReconciliationEnv, ReconciliationConfig> = {
  key: 'reconciliation',
  root: true,
  schema: ReconciliationEnv,
  load: (env, problems) => {
    const raw = parseJsonObjectVar('RECONCILIATION_COLUMNS', env.RECONCILIATION_COLUMNS, problems);
    const merged = mergeColumns(DEFAULT_COLUMNS, raw, 'RECONCILIATION_COLUMNS');
    if ('problem' in merged) problems.push(merged.problem);
    try {
      new Intl.DateTimeFormat('en', { timeZone: env.RECONCILIATION_TIME_ZONE });
    } catch {
      problems.push('RECONCILIATION_TIME_ZONE must be an IANA time zone');
    }
    return {
      columns: 'columns' in merged ? merged.columns : DEFAULT_COLUMNS,
      reportUrl: env.RECONCILIATION_REPORT_URL || undefined,
      reportAuth: authHeader(env.RECONCILIATION_REPORT_AUTH_HEADER, problems),
      schedule: env.RECONCILIATION_SCHEDULE === 'off' ? null : env.RECONCILIATION_SCHEDULE,
      timeZone: env.RECONCILIATION_TIME_ZONE,
    };
  },
};
