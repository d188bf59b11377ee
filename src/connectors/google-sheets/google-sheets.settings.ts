import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  ValidationError,
  validateSync,
} from 'class-validator';

export const SHEET_COLUMNS = [
  'orderId',
  'status',
  'amount',
  'currency',
  'customerPhone',
  'customerId',
  'description',
  'paidAt',
  'providerReference',
  'paymentLink',
  'bitrix24Deal',
  'amocrmLead',
  'updatedAt',
] as const;
export type SheetColumn = (typeof SHEET_COLUMNS)[number];
export type SheetLanguage = 'hy' | 'ru' | 'en';

export const DEFAULT_HEADERS: Record<SheetLanguage, Record<SheetColumn, string>> = {
  hy: {
    orderId: 'Պատվեր',
    status: 'Կարգավիճակ',
    amount: 'Գումար',
    currency: 'Արժույթ',
    customerPhone: 'Հեռախոս',
    customerId: 'Հաճախորդ',
    description: 'Նկարագրություն',
    paidAt: 'Վճարվել է',
    providerReference: 'VPOS վճարում',
    paymentLink: 'Վճարման հղում',
    bitrix24Deal: 'Bitrix24 գործարք',
    amocrmLead: 'amoCRM գործարք',
    updatedAt: 'Թարմացվել է',
  },
  ru: {
    orderId: 'Заказ',
    status: 'Статус',
    amount: 'Сумма',
    currency: 'Валюта',
    customerPhone: 'Телефон',
    customerId: 'Клиент',
    description: 'Описание',
    paidAt: 'Оплачено',
    providerReference: 'Платёж VPOS',
    paymentLink: 'Ссылка на оплату',
    bitrix24Deal: 'Сделка Bitrix24',
    amocrmLead: 'Сделка amoCRM',
    updatedAt: 'Обновлено',
  },
  en: {
    orderId: 'Order',
    status: 'Status',
    amount: 'Amount',
    currency: 'Currency',
    customerPhone: 'Phone',
    customerId: 'Customer',
    description: 'Description',
    paidAt: 'Paid at',
    providerReference: 'VPOS payment',
    paymentLink: 'Payment link',
    bitrix24Deal: 'Bitrix24 deal',
    amocrmLead: 'amoCRM lead',
    updatedAt: 'Updated at',
  },
};

class RateLimitSettings {
  @IsInt() @Min(1) @Max(1000) capacity: number;
  @Min(0.01) @Max(1000) refillPerSecond: number;
}

export class GoogleSheetsSettings {
  /** Absent: the spreadsheet chosen when the account was connected. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{10,100}$/, { message: 'spreadsheetId must be a Google spreadsheet id' })
  spreadsheetId?: string;

  /** Absent: the spreadsheet's first tab. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(100) sheetName?: string;

  @IsOptional()
  @IsIn(SHEET_COLUMNS, {
    each: true,
    message: `each column must be one of ${SHEET_COLUMNS.join(', ')}`,
  })
  @ArrayUnique()
  @ArrayMinSize(1)
  @ArrayMaxSize(SHEET_COLUMNS.length)
  columns?: SheetColumn[];

  @IsOptional() @IsObject() headers?: Record<string, string>;

  @IsOptional()
  @IsIn(['hy', 'ru', 'en'], { message: 'language must be hy, ru or en' })
  language?: SheetLanguage;

  @IsOptional() @IsString() timeZone?: string;

  @IsOptional() @ValidateNested() @Type(() => RateLimitSettings) rateLimit?: RateLimitSettings;

  @IsOptional() @IsInt() @Min(1) @Max(1000) batchSize?: number;
}

export const DEFAULT_COLUMNS: readonly SheetColumn[] = SHEET_COLUMNS;
export const DEFAULT_TIME_ZONE = 'Asia/Yerevan';
// 60 requests a minute per Google user: any 60 s see at most capacity + 60 × refill = 59.
export const SHEETS_DEFAULT_RATE = { capacity: 5, refillPerSecond: 0.9 };
export const SHEETS_DEFAULT_BATCH = 500;

export interface SheetConfig {
  spreadsheetId: string | undefined;
  sheetName: string | undefined;
  columns: readonly SheetColumn[];
  headers: string[];
  timeZone: string;
}

export function parseSheetsSettings(raw: unknown): GoogleSheetsSettings {
  const settings = plainToInstance(GoogleSheetsSettings, raw ?? {});
  const errors = validateSync(settings, { whitelist: true, forbidNonWhitelisted: true });
  const problems = flatten(errors, 'settings');
  if (problems.length === 0) problems.push(...crossFieldProblems(settings));
  if (problems.length) throw new Error(problems.join('; '));
  return settings;
}

export function sheetConfig(s: GoogleSheetsSettings): SheetConfig {
  const columns = s.columns ?? DEFAULT_COLUMNS;
  const defaults = DEFAULT_HEADERS[s.language ?? 'hy'];
  return {
    spreadsheetId: s.spreadsheetId,
    sheetName: s.sheetName,
    columns,
    headers: columns.map((c) => s.headers?.[c] ?? defaults[c]),
    timeZone: s.timeZone ?? DEFAULT_TIME_ZONE,
  };
}

function crossFieldProblems(s: GoogleSheetsSettings): string[] {
  const problems: string[] = [];
  const columns = s.columns ?? DEFAULT_COLUMNS;
  if (!columns.includes('orderId')) {
    problems.push('settings.columns: must include orderId (the key each row is found by)');
  }
  for (const [key, text] of Object.entries(s.headers ?? {})) {
    if (!columns.includes(key as SheetColumn)) {
      problems.push(`settings.headers.${key}: not one of the columns (${columns.join(', ')})`);
    } else if (typeof text !== 'string' || text.trim() === '' || text.length > 200) {
      problems.push(`settings.headers.${key}: must be a text of 1 to 200 characters`);
    }
  }
  if (s.timeZone !== undefined && !isTimeZone(s.timeZone)) {
    problems.push(
      `settings.timeZone: "${s.timeZone}" is not an IANA time zone (e.g. Asia/Yerevan)`,
    );
  }
  return problems;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function flatten(errors: ValidationError[], prefix: string): string[] {
  return errors.flatMap((e) => {
    const path = `${prefix}.${e.property}`;
    const own = e.constraints ? [`${path}: ${Object.values(e.constraints).join('; ')}`] : [];
    return [...own, ...flatten(e.children ?? [], path)];
  });
}
