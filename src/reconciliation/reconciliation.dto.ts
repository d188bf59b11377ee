import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { Optional } from '../common/validation';
import { EXCEPTION_TYPES, ExceptionType, RepairAction } from './exception-types';
import { REPORT_FIELDS } from './report-layout';

const COLUMNS_HELP =
  'JSON object: report field → the column name in this report, over RECONCILIATION_COLUMNS ' +
  `and the default layout (fields: ${REPORT_FIELDS.join(', ')})`;

const PERIOD_HELP =
  'With a period, a report row whose paid_at lies outside it (and is otherwise a match) is a ' +
  'paid_outside_period exception (never silently dropped; a row without paid_at is taken as ' +
  "inside), and a journal payment whose paid time (its paid event's time) lies inside it and " +
  'that the report lacks is journal_paid_provider_not_paid.';

/** Documents the POST query; the values are checked with the multipart fields and JSON body. */
export class CreateRunQuery {
  @ApiPropertyOptional({ description: `start of the period (ISO 8601), with to. ${PERIOD_HELP}` })
  @Optional()
  from?: string;

  @ApiPropertyOptional({ description: 'end of the period (ISO 8601, exclusive), with from' })
  @Optional()
  to?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: 202 and a queued run' })
  @Optional()
  async?: string;

  @ApiPropertyOptional({ description: COLUMNS_HELP })
  @Optional()
  columns?: string;
}

export class RunListQuery {
  @ApiPropertyOptional({ type: 'integer', default: 1, minimum: 1 })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'page must be an integer' })
  @Min(1, { message: 'page must be at least 1' })
  @Max(100_000, { message: 'page must be at most 100000' })
  page = 1;

  @ApiPropertyOptional({ type: 'integer', default: 20, minimum: 1, maximum: 100 })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'pageSize must be an integer' })
  @Min(1, { message: 'pageSize must be at least 1' })
  @Max(100, { message: 'pageSize must be at most 100' })
  pageSize = 20;
}

export class RunPageQuery {
  @ApiPropertyOptional({ type: 'integer', default: 1, minimum: 1 })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'page must be an integer' })
  @Min(1, { message: 'page must be at least 1' })
  @Max(100_000, { message: 'page must be at most 100000' })
  page = 1;

  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 500 })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'pageSize must be an integer' })
  @Min(1, { message: 'pageSize must be at least 1' })
  @Max(500, { message: 'pageSize must be at most 500' })
  pageSize = 50;

  @ApiPropertyOptional({ enum: EXCEPTION_TYPES })
  @Optional()
  @IsIn(EXCEPTION_TYPES, { message: `type must be one of ${EXCEPTION_TYPES.join(', ')}` })
  type?: ExceptionType;
}

export class ExportQuery {
  @ApiPropertyOptional({ enum: EXCEPTION_TYPES })
  @Optional()
  @IsIn(EXCEPTION_TYPES, { message: `type must be one of ${EXCEPTION_TYPES.join(', ')}` })
  type?: ExceptionType;
}

const ACTIONS: RepairAction[] = ['lookup', 'redeliver', 'resolve'];

export class RepairDto {
  @ApiProperty({
    enum: ACTIONS,
    description:
      'lookup: ask VPOS and record its answer through verification; redeliver: send the ' +
      "order's events to that destination again; resolve: close it with a comment",
  })
  @IsIn(ACTIONS, { message: 'action must be one of lookup, redeliver, resolve' })
  action: RepairAction;

  @ApiPropertyOptional({ maxLength: 500, description: 'required for resolve' })
  @ValidateIf((o: RepairDto) => o.action === 'resolve' || o.comment !== undefined)
  @IsString({ message: 'comment must be a string (required for resolve)' })
  @Matches(/\S/, { message: 'comment must not be blank' })
  @MaxLength(500, { message: 'comment must be at most 500 characters' })
  comment?: string;
}

export class BulkRepairDto extends RepairDto {
  @ApiPropertyOptional({ enum: EXCEPTION_TYPES, description: 'only open exceptions of this type' })
  @Optional()
  @IsIn(EXCEPTION_TYPES, { message: `type must be one of ${EXCEPTION_TYPES.join(', ')}` })
  type?: ExceptionType;
}
