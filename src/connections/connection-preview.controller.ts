import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi';
import { UUID_PARAM } from '../common/request-params';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { PreviewDto, samplePaidEvent } from './connection-preview';
import { ConnectionsService } from './connections.service';
import { MappingChoicesDto, readChoices } from './mapping-choices';

@ApiTags('connections')
@ApiBearerAuth()
@Controller('api/connections')
export class ConnectionPreviewController {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
  ) {}

  @Get(':id/choices')
  @ApiOperation({
    operationId: 'connectionChoices',
    summary: 'What a mapping can point at, read live from the destination',
  })
  @ApiOkResponse({ type: MappingChoicesDto })
  @ApiErrors({
    404: 'unknown connection',
    409: 'the destination refused the credentials (reconnect), or its type has no mapping',
    424: 'the destination refused the request (e.g. the spreadsheet is gone)',
    502: 'the destination did not answer',
  })
  async choices(@Param('id', UUID_PARAM) id: string): Promise<MappingChoicesDto> {
    const ctx = this.connections.context(await this.connections.get(id));
    return readChoices(this.registry.get(ctx.type), ctx);
  }

  @Post(':id/preview')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'previewConnection',
    summary: 'What a sample paid event would write with the saved mapping (nothing is written)',
  })
  @ApiResponse({
    status: 200,
    description: 'the sample event and what the connector would send for it',
    schema: {
      type: 'object',
      required: ['event', 'wouldSend'],
      properties: {
        event: { type: 'object', description: 'a payment event (schemas/payment-event.v1)' },
        wouldSend: {
          description: "the connector's plan: requests or rows, as it would write them",
        },
      },
    },
  })
  async preview(@Param('id', UUID_PARAM) id: string, @Body() dto: PreviewDto) {
    const ctx = this.connections.context(await this.connections.get(id));
    const event = samplePaidEvent(dto);
    return { event, wouldSend: await this.registry.get(ctx.type).plan(ctx, event) };
  }
}
