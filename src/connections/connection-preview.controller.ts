import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { UUID_PARAM } from '../common/request-params';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { PreviewDto, samplePaidEvent } from './connection-preview';
import { ConnectionsService } from './connections.service';

@ApiTags('connections')
@ApiBearerAuth()
@Controller('api/connections')
export class ConnectionPreviewController {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
  ) {}

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
