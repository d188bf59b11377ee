import { Type } from 'class-transformer';
import type { RateLimitRule } from '../crm-connector';
import { parseSettings, rateLimitSettings } from '../shared/settings';
import { IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';

const RateLimitSettings = rateLimitSettings({
  capacity: 10000,
  refillPerSecond: 10000,
  minRefill: 0.01,
});

export class WebhookSettings {
  @IsString()
  url: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  batchSize?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitSettings)
  rateLimit?: RateLimitRule;

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(60000)
  timeoutMs?: number;
}

export const WEBHOOK_DEFAULT_RATE = { capacity: 20, refillPerSecond: 10 };

export function parseWebhookSettings(raw: unknown): WebhookSettings {
  return parseSettings(WebhookSettings, raw);
}
