import { Type } from 'class-transformer';
import type { RateLimitRule } from '../crm-connector';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

import { NOTE_LANGUAGES, NoteLanguage } from '../shared/payment-note';
import { parseSettings, rateLimitSettings } from '../shared/settings';
import { Bitrix24LinkTrigger } from './bitrix24.trigger';

const UF_FIELD = /^UF_CRM_[A-Z0-9_]+$/;
const UF_MESSAGE = 'must be a deal user field, UF_CRM_<NAME>';
const STAGE = /^(C\d+:)?[A-Z0-9_]{1,50}$/;
const STAGE_MESSAGE =
  'must be a stage id: WON, LOSE, UC_XXXX (in the deal’s own pipeline) or C<n>:<id> (pipeline n only)';

// A bare id is that stage in the deal's own pipeline; `C<n>:<id>` applies to pipeline n only.
class StageMap {
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) paid?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) failed?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) cancelled?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) expired?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) refunded?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) partially_refunded?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) manual_review?: string;
}

class FieldMap {
  @IsOptional() @Matches(UF_FIELD, { message: UF_MESSAGE }) paidAt?: string;
  @IsOptional() @Matches(UF_FIELD, { message: UF_MESSAGE }) providerReference?: string;
  @IsOptional() @Matches(UF_FIELD, { message: UF_MESSAGE }) paymentLink?: string;
  @IsOptional() @Matches(UF_FIELD, { message: UF_MESSAGE }) refundedAmount?: string;
}

class NewDealSettings {
  @IsOptional() @IsInt() @Min(0) categoryId?: number;
  /** Stage of a created deal whose status maps to no stage (default: the pipeline's first). */
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) stageId?: string;
  /** `{orderId}` and `{description}` are replaced. */
  @IsOptional() @IsString() @MaxLength(255) title?: string;
  @IsOptional() @IsInt() @Min(1) assignedById?: number;
}

/** Enterprise portals allow 250 at once, draining 5/s; other plans 50 and 2/s. */
const RateLimitSettings = rateLimitSettings({ capacity: 250, refillPerSecond: 5, minRefill: 0.1 });

export class Bitrix24Settings {
  @IsOptional() @IsIn(NOTE_LANGUAGES) noteLanguage?: NoteLanguage;

  @IsOptional()
  @Matches(/^(ORIGIN_ID|UF_CRM_[A-Z0-9_]+)$/, { message: 'must be ORIGIN_ID or UF_CRM_<NAME>' })
  orderIdField?: string;

  @IsOptional()
  @Matches(/^[\w.-]{1,50}$/, { message: 'must be 1-50 letters, digits, . _ -' })
  originatorId?: string;

  @IsOptional() @IsBoolean() createDeals?: boolean;

  @IsOptional() @ValidateNested() @Type(() => NewDealSettings) newDeal?: NewDealSettings;
  @IsOptional() @ValidateNested() @Type(() => StageMap) stages?: StageMap;
  @IsOptional() @ValidateNested() @Type(() => FieldMap) fields?: FieldMap;

  @IsOptional() @IsInt() @Min(1) @Max(1000) batchSize?: number;

  @IsOptional() @ValidateNested() @Type(() => RateLimitSettings) rateLimit?: RateLimitRule;

  @IsOptional()
  @ValidateNested()
  @Type(() => Bitrix24LinkTrigger)
  paymentLinkTrigger?: Bitrix24LinkTrigger;
}

export const BITRIX24_DEFAULTS = {
  orderIdField: 'ORIGIN_ID',
  originatorId: 'vpos-hub',
  // 1,000 events: one lookup and 40 write requests (0.041 an event), ~49 events/s at 2/s.
  batchSize: 1000,
  /** The published leaky bucket of non-Enterprise portals. */
  rateLimit: { capacity: 50, refillPerSecond: 2 },
} as const;

export function parseBitrix24Settings(raw: unknown): Bitrix24Settings {
  return parseSettings(Bitrix24Settings, raw);
}
