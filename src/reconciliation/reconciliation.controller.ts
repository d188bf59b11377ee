import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, UUID_PARAM } from '../common/request-params';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ReconciliationRepairService } from './reconciliation-repair.service';
import {
  BulkRepairDto,
  CreateRunQuery,
  ExportQuery,
  RepairDto,
  RunListQuery,
  RunPageQuery,
} from './reconciliation.dto';
import { ReconciliationService } from './reconciliation.service';
import {
  BULK_REPAIR_SCHEMA,
  EXCEPTION_SCHEMA,
  REPORT_BODY_SCHEMA,
  RUN_LIST_SCHEMA,
  RUN_SCHEMA,
} from './reconciliation.openapi';
import { withReport } from './report-request';

const error = { schema: { $ref: '#/components/schemas/Error' } };

@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('api/reconciliation')
export class ReconciliationController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: ReconciliationService,
    private readonly repairs: ReconciliationRepairService,
  ) {}

  @Post('runs')
  @ApiOperation({
    operationId: 'createReconciliationRun',
    summary: 'Reconcile a provider report (CSV or JSON) against the journal and every CRM',
    description:
      'CSV as a text/csv body or a multipart file field `report` (fields before the file), or ' +
      'JSON (an array of rows or { rows }). Default columns: provider_reference, order_id, ' +
      'amount_minor, currency, status, paid_at, refund_amount_minor. 201 with the finished run ' +
      '(async=true: 202 with the queued run). A malformed row is a malformed_row exception. ' +
      'With a period (from, to): a row paid outside it is paid_outside_period unless a more ' +
      'dangerous type applies; journal payments paid inside it that the report lacks are ' +
      'journal_paid_provider_not_paid.',
  })
  @ApiConsumes('text/csv', 'multipart/form-data', 'application/json')
  @ApiBody({ schema: REPORT_BODY_SCHEMA })
  @ApiHeader({ name: 'X-Actor', required: false, description: 'who runs it, for the record' })
  @ApiResponse({ status: 201, description: 'the finished run', schema: RUN_SCHEMA })
  @ApiResponse({ status: 202, description: 'queued (async=true)', schema: RUN_SCHEMA })
  @ApiResponse({ status: 415, description: 'unknown content type', ...error })
  @ApiResponse({ status: 422, description: 'empty report, bad mapping or period', ...error })
  async create(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query() _query: CreateRunQuery,
    @Actor() actor: string,
  ) {
    const run = await withReport(req, this.config.reconciliation.columns, (source, options) =>
      this.runs.create(source, { ...options, actor }),
    );
    res.status(run.status === 'queued' ? 202 : 201);
    return run;
  }

  @Get('runs')
  @ApiOperation({
    operationId: 'listReconciliationRuns',
    summary: 'Runs, the newest first, with their counts',
  })
  @ApiResponse({ status: 200, schema: RUN_LIST_SCHEMA })
  list(@Query() query: RunListQuery) {
    return this.runs.list(query);
  }

  @Get('runs/:id')
  @ApiOperation({
    operationId: 'getReconciliationRun',
    summary: 'A run: summary per exception type and a page of its exceptions',
  })
  @ApiResponse({ status: 200, schema: RUN_SCHEMA })
  @ApiResponse({ status: 404, description: 'unknown run', ...error })
  get(@Param('id', UUID_PARAM) id: string, @Query() query: RunPageQuery) {
    return this.runs.get(id, query);
  }

  @Get('runs/:id/exceptions.csv')
  @ApiOperation({
    operationId: 'exportReconciliationExceptions',
    summary: "The run's exceptions as CSV (cells never start a formula)",
  })
  @ApiProduces('text/csv')
  @ApiResponse({
    status: 200,
    description: 'one line per exception',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 404, description: 'unknown run', ...error })
  async exportCsv(
    @Param('id', UUID_PARAM) id: string,
    @Query() query: ExportQuery,
    @Res() res: Response,
  ): Promise<void> {
    await this.runs.exportCsv(id, query.type, () => {
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="reconciliation-${id}.csv"`);
      return res;
    });
  }

  @Post('exceptions/:id/repair')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'repairReconciliationException',
    summary: 'Repair one exception: lookup, redeliver or resolve (audited)',
  })
  @ApiResponse({
    status: 200,
    description: 'the exception after the repair',
    schema: EXCEPTION_SCHEMA,
  })
  @ApiHeader({ name: 'X-Actor', required: false, description: 'who acts, for the audit trail' })
  @ApiResponse({ status: 404, description: 'unknown exception', ...error })
  @ApiResponse({ status: 409, description: 'not open, or the action does not apply', ...error })
  repairOne(@Param('id', UUID_PARAM) id: string, @Body() dto: RepairDto, @Actor() actor: string) {
    return this.repairs.repairOne(id, dto, actor);
  }

  @Post('runs/:id/repair')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'repairReconciliationRun',
    summary: 'Repair every open exception of a run the action applies to',
  })
  @ApiResponse({ status: 200, description: 'counts of the repairs', schema: BULK_REPAIR_SCHEMA })
  @ApiHeader({ name: 'X-Actor', required: false, description: 'who acts, for the audit trail' })
  @ApiResponse({ status: 404, description: 'unknown run', ...error })
  repairRun(
    @Param('id', UUID_PARAM) id: string,
    @Body() dto: BulkRepairDto,
    @Actor() actor: string,
  ) {
    return this.repairs.repairRun(id, dto, actor);
  }
}
