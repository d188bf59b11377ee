import 'reflect-metadata';
import { Type } from 'class-transformer';
import type { RateLimitRule } from '../crm-connector';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { FINAL_PAYMENT_STATUSES, PaymentStatus } from '../../domain/payment-status';
import { NOTE_LANGUAGES, NoteLanguage } from '../shared/payment-note';
import { parseSettings, rateLimitSettings } from '../shared/settings';
import { AmocrmLinkTrigger } from './amocrm.trigger';

/** The same in every pipeline; every other status id belongs to one pipeline. */
export const WON_STATUS_ID = 142;
export const LOST_STATUS_ID = 143;

const RateLimitSettings = rateLimitSettings({
  capacity: 1000,
  refillPerSecond: 1000,
  minRefill: 0.01,
});

export class StatusTarget {
  /** Absent: the lead's own pipeline (only for 142 and 143). */
  @IsOptional()
  @IsInt()
  @Min(1)
  pipelineId?: number;

  @IsInt()
  @Min(1)
  statusId: number;
}

/** `null` turns a default off (paid: note only, the lead is not moved). */
class StatusMap {
  @IsOptional() @ValidateNested() @Type(() => StatusTarget) paid?: StatusTarget | null;
  @IsOptional() @ValidateNested() @Type(() => StatusTarget) failed?: StatusTarget | null;
  @IsOptional() @ValidateNested() @Type(() => StatusTarget) cancelled?: StatusTarget | null;
  @IsOptional() @ValidateNested() @Type(() => StatusTarget) expired?: StatusTarget | null;
  @IsOptional() @ValidateNested() @Type(() => StatusTarget) refunded?: StatusTarget | null;
  @IsOptional()
  @ValidateNested()
  @Type(() => StatusTarget)
  partially_refunded?: StatusTarget | null;
  @IsOptional() @ValidateNested() @Type(() => StatusTarget) manual_review?: StatusTarget | null;
}

class FieldMap {
  @IsOptional() @IsInt() @Min(1) paidAt?: number;
  @IsOptional() @IsInt() @Min(1) providerReference?: number;
  @IsOptional() @IsInt() @Min(1) paymentLink?: number;
}

class NewLeadSettings {
  /** Absent: the account's main pipeline. */
  @IsOptional()
  @IsInt()
  @Min(1)
  pipelineId?: number;

  /** `{orderId}`, `{amount}`, `{phone}` are replaced. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name?: string;
}

export class AmocrmSettings {
  @IsOptional() @IsIn(NOTE_LANGUAGES) noteLanguage?: NoteLanguage;

  @IsOptional()
  @IsString()
  host?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => StatusMap)
  statuses?: StatusMap;

  @IsOptional()
  @ValidateNested()
  @Type(() => FieldMap)
  fields?: FieldMap;

  @IsOptional()
  @IsInt()
  @Min(1)
  orderIdField?: number;

  @IsOptional()
  @IsBoolean()
  createLeads?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => NewLeadSettings)
  newLead?: NewLeadSettings;

  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitSettings)
  rateLimit?: RateLimitRule;

  /** Events per call under a backlog (amoCRM takes up to 250 entities per request). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(250)
  batchSize?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => AmocrmLinkTrigger)
  paymentLinkTrigger?: AmocrmLinkTrigger;
}

// 7 rps per integration; a bucket passes capacity + refill in any second: 1 + 5 leaves one spare
// for requests that bunch up on the way (2 + 5 drew 429s from amoCRM's sliding window under load).
export const AMOCRM_DEFAULT_RATE = { capacity: 1, refillPerSecond: 5 };
export const AMOCRM_DEFAULT_BATCH = 250;
export const DEFAULT_LEAD_NAME = 'Order {orderId}';

export type MappedStatus = keyof StatusMap;
export const MAPPED_STATUSES: readonly MappedStatus[] = FINAL_PAYMENT_STATUSES;

export function statusTarget(settings: AmocrmSettings, status: PaymentStatus): StatusTarget | null {
  if (!(MAPPED_STATUSES as readonly string[]).includes(status)) return null;
  const mapped = settings.statuses?.[status as MappedStatus];
  if (mapped !== undefined) return mapped;
  return status === 'paid' ? { statusId: WON_STATUS_ID } : null;
}

export function parseAmocrmSettings(raw: unknown): AmocrmSettings {
  return parseSettings(AmocrmSettings, raw, crossFieldProblems);
}

function crossFieldProblems(settings: AmocrmSettings): string[] {
  const problems: string[] = [];
  if (settings.createLeads && settings.orderIdField === undefined) {
    problems.push(
      'settings.orderIdField: required when createLeads is true (a retried create must find the lead it made)',
    );
  }
  for (const status of MAPPED_STATUSES) {
    const target = settings.statuses?.[status];
    if (
      target &&
      target.pipelineId === undefined &&
      target.statusId !== WON_STATUS_ID &&
      target.statusId !== LOST_STATUS_ID
    ) {
      problems.push(
        `settings.statuses.${status}.pipelineId: required for status ${target.statusId} (only 142 and 143 exist in every pipeline)`,
      );
    }
  }
  return problems;
}
