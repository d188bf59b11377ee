import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi';
import { UUID_PARAM } from '../common/request-params';
import { DeliveryReplayService } from './delivery-replay.service';
import { DeliveryDto, ListDeliveriesQuery, ReplayOrderQuery, ReplayPlanDto } from './delivery.dto';
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
  @ApiOperation({
    operationId: 'listDeliveries',
    summary: 'Deliveries, newest first (status=dead lists the dead letters)',
  })
  @ApiOkResponse({ type: [DeliveryDto] })
  list(@Query() query: ListDeliveriesQuery) {
    return this.deliveries.list(query);
  }

  @Post('deliveries/:id/replay')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'replayDelivery',
    summary: 'Send one delivery again (dead, skipped, delivered or waiting)',
  })
  @ApiAcceptedResponse({ type: DeliveryDto, description: 'queued again' })
  @ApiErrors({ 404: 'unknown delivery', 409: 'the delivery is in progress; try again shortly' })
  replay(@Param('id', UUID_PARAM) id: string) {
    return this.replays.replay(id);
  }

  @Post('payments/:orderId/replay')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'replayOrder',
    summary:
      "Replay an order's verified events to one connection (or all); dryRun=true sends nothing",
  })
  @ApiAcceptedResponse({ type: ReplayPlanDto, description: 'what was (or would be) sent' })
  @ApiErrors({ 404: 'no verified events for the order, or unknown connection' })
  replayOrder(@Param('orderId') orderId: string, @Query() query: ReplayOrderQuery) {
    return this.replays.replayOrder(orderId, query.connection, query.dryRun);
  }
}
