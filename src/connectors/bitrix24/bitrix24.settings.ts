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

/**
 * Stage per payment status. A bare id (`LOSE`, `UC_AB12CD`) means that stage in whatever
 * pipeline the deal is in (`C<n>:` is added for pipeline n); `C<n>:<id>` applies to pipeline n
 * only. Paid defaults to the pipeline's won stage; the other statuses move nothing by default.
 */
class StageMap {
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) paid?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) failed?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) cancelled?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) expired?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) refunded?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) partially_refunded?: string;
  @IsOptional() @Matches(STAGE, { message: STAGE_MESSAGE }) manual_review?: string;
}

/** Deal user fields the hub fills when an order is paid. */
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

  /** Where a deal keeps the order id: ORIGIN_ID (with ORIGINATOR_ID) or a UF_CRM_* field. */
  @IsOptional()
  @Matches(/^(ORIGIN_ID|UF_CRM_[A-Z0-9_]+)$/, { message: 'must be ORIGIN_ID or UF_CRM_<NAME>' })
  orderIdField?: string;

  @IsOptional()
  @Matches(/^[\w.-]{1,50}$/, { message: 'must be 1-50 letters, digits, . _ -' })
  originatorId?: string;

  /** Create a deal (with the order id, so a retry finds it) when none exists. */
  @IsOptional() @IsBoolean() createDeals?: boolean;

  @IsOptional() @ValidateNested() @Type(() => NewDealSettings) newDeal?: NewDealSettings;
  @IsOptional() @ValidateNested() @Type(() => StageMap) stages?: StageMap;
  @IsOptional() @ValidateNested() @Type(() => FieldMap) fields?: FieldMap;

  /** Events per delivery call under a backlog (each costs two batch commands). */
  @IsOptional() @IsInt() @Min(1) @Max(500) batchSize?: number;

  @IsOptional() @ValidateNested() @Type(() => RateLimitSettings) rateLimit?: RateLimitRule;

  @IsOptional()
  @ValidateNested()
  @Type(() => Bitrix24LinkTrigger)
  paymentLinkTrigger?: Bitrix24LinkTrigger;
}

export const BITRIX24_DEFAULTS = {
  orderIdField: 'ORIGIN_ID',
  originatorId: 'vpos-hub',
  /**
   * Two write commands per event, 50 per batch: 200 events cost one lookup request and eight
   * write requests, 0.045 requests per event, which the 2/s bucket turns into ~44 events/s.
   */
  batchSize: 200,
  /** The published leaky bucket of non-Enterprise portals. */
  rateLimit: { capacity: 50, refillPerSecond: 2 },
} as const;

export function parseBitrix24Settings(raw: unknown): Bitrix24Settings {
  return parseSettings(Bitrix24Settings, raw);
}
