import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
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
    summary: 'What a sample paid event would write with the saved mapping (nothing is written)',
  })
  async preview(@Param('id', UUID_PARAM) id: string, @Body() dto: PreviewDto) {
    const ctx = this.connections.context(await this.connections.get(id));
    const event = samplePaidEvent(dto);
    return { event, wouldSend: await this.registry.get(ctx.type).plan(ctx, event) };
  }
}
