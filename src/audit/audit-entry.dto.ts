import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { AuditEntry } from './audit-entry.entity';

const nullableUuid = { type: String, format: 'uuid', nullable: true } as const;

@ApiSchema({ name: 'AuditEntry' })
export class AuditEntryDto implements AuditEntry {
  @ApiProperty({ description: 'increasing (a bigint, as a string)', example: '1207' })
  id: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: Date;

  @ApiProperty({ type: String, nullable: true })
  orderId: string | null;

  @ApiProperty(nullableUuid)
  attemptId: string | null;

  @ApiProperty(nullableUuid)
  eventId: string | null;

  @ApiProperty(nullableUuid)
  rawEventId: string | null;

  @ApiProperty({ example: 'review.resolved' })
  kind: string;

  @ApiProperty({ example: 'admin', description: 'X-Actor, or the part of the hub that acted' })
  actor: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data: Record<string, unknown>;
}
