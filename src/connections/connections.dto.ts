import type { ConnectionStatus } from './connection.entity';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsObject, IsString, MaxLength, MinLength } from 'class-validator';
import { Optional } from '../common/validation';

export class CreateConnectionDto {
  @ApiProperty({ example: 'webhook', description: 'destination type' })
  @IsString({ message: 'type must be a string' })
  type: string;

  @ApiProperty({ example: 'Shop backend' })
  @IsString({ message: 'displayName must be a string' })
  @MinLength(1, { message: 'displayName must not be empty' })
  @MaxLength(120, { message: 'displayName must be at most 120 characters' })
  displayName: string;

  @ApiPropertyOptional({ example: 'webhook', description: 'how it authenticates (per type)' })
  @Optional()
  @IsString({ message: 'mode must be a string' })
  mode?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsObject({ message: 'settings must be an object' })
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'stored encrypted, never returned',
  })
  @Optional()
  @IsObject({ message: 'credentials must be an object' })
  credentials?: Record<string, unknown>;
}

export class UpdateConnectionDto {
  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'displayName must be a string' })
  @MinLength(1, { message: 'displayName must not be empty' })
  @MaxLength(120, { message: 'displayName must be at most 120 characters' })
  displayName?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsObject({ message: 'settings must be an object' })
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsObject({ message: 'credentials must be an object' })
  credentials?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: ['active', 'disabled'] })
  @Optional()
  @IsIn(['active', 'disabled'], { message: 'status must be active or disabled' })
  status?: 'active' | 'disabled';
}

export interface NewConnection {
  type: string;
  displayName: string;
  mode: string;
  account?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  credentials?: unknown;
}

export interface ConnectionView {
  id: string;
  type: string;
  displayName: string;
  mode: string;
  account: Record<string, unknown>;
  status: ConnectionStatus;
  statusReason: string | null;
  settings: Record<string, unknown>;
  hasCredentials: boolean;
  createdAt: Date;
  updatedAt: Date;
}

@ApiSchema({ name: 'ConnectionView' })
export class ConnectionViewDto implements ConnectionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'bitrix24' })
  type: string;

  @ApiProperty({ example: 'Sales portal' })
  displayName: string;

  @ApiProperty({ example: 'oauth' })
  mode: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'the account as the destination names it (portal, subdomain, e-mail)',
  })
  account: Record<string, unknown>;

  @ApiProperty({ enum: ['active', 'needs_reconnect', 'disabled'] })
  status: ConnectionStatus;

  @ApiProperty({ type: String, nullable: true, description: 'why it needs a person' })
  statusReason: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the mapping' })
  settings: Record<string, unknown>;

  @ApiProperty({ description: 'credentials are stored encrypted and never returned' })
  hasCredentials: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}
