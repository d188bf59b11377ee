import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UUID_PARAM } from '../common/request-params';
import { DeliveryReplayService } from './delivery-replay.service';
import { ListDeliveriesQuery, ReplayOrderQuery } from './delivery.dto';
import { DeliveryService } from './delivery.service';

@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('api')
export class DeliveryController {
  constructor(
    private readonly deliveries: DeliveryService,
    private readonly replays: DeliveryReplayService,
  ) {}

  @Get('deliveries')
  @ApiOperation({ summary: 'Deliveries, newest first (status=dead lists the dead letters)' })
  list(@Query() query: ListDeliveriesQuery) {
    return this.deliveries.list(query);
  }

  @Post('deliveries/:id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send one delivery again (dead, skipped, delivered or waiting)' })
  replay(@Param('id', UUID_PARAM) id: string) {
    return this.replays.replay(id);
  }

  @Post('payments/:orderId/replay')
  @HttpCode(202)
  @ApiOperation({
    summary:
      "Replay an order's verified events to one connection (or all); dryRun=true sends nothing",
  })
  replayOrder(@Param('orderId') orderId: string, @Query() query: ReplayOrderQuery) {
    return this.replays.replayOrder(orderId, query.connection, query.dryRun);
  }
}
