import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiErrors } from '../common/openapi';
import { Public } from '../common/public.decorator';
import { RedisHealthIndicator } from './redis.health';

const CHECKS = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up'] } },
  },
} as const;
const HEALTHY = {
  schema: {
    type: 'object',
    required: ['status', 'info', 'error', 'details'],
    properties: {
      status: { type: 'string', enum: ['ok'] },
      info: CHECKS,
      error: CHECKS,
      details: CHECKS,
    },
  },
};

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ description: 'alive', ...HEALTHY })
  @ApiOperation({ operationId: 'getLiveness', summary: 'The process answers (no dependencies)' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ operationId: 'getReadiness', summary: 'PostgreSQL and Redis both answer' })
  @ApiOkResponse({ description: 'ready', ...HEALTHY })
  @ApiErrors({ 503: 'PostgreSQL or Redis does not answer' })
  ready() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 1500 }),
      () => this.redis.check('redis'),
    ]);
  }
}
