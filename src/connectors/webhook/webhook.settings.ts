import { plainToInstance, Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateNested,
  validateSync,
} from 'class-validator';

class RateLimitSettings {
  @IsInt()
  @Min(1)
  @Max(10000)
  capacity: number;

  @Min(0.01)
  @Max(10000)
  refillPerSecond: number;
}

/** Settings of a generic signed-webhook destination (the merchant's own backend). */
export class WebhookSettings {
  @IsString()
  url: string;

  /** Events per request under a backlog; 1 sends one event per request. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  batchSize?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitSettings)
  rateLimit?: RateLimitSettings;

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(60000)
  timeoutMs?: number;
}

export const WEBHOOK_DEFAULT_RATE = { capacity: 20, refillPerSecond: 10 };

/** Parses and validates; throws an Error whose message names each bad field. */
export function parseWebhookSettings(raw: unknown): WebhookSettings {
  const settings = plainToInstance(WebhookSettings, raw ?? {});
  const errors = validateSync(settings, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const flat = errors.flatMap((e) =>
      e.children?.length
        ? e.children.map(
            (c) =>
              `settings.${e.property}.${c.property}: ${Object.values(c.constraints ?? {}).join('; ')}`,
          )
        : [`settings.${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`],
    );
    throw new Error(flat.join('; '));
  }
  return settings;
}
