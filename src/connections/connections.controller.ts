import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { Actor, UUID_PARAM } from '../common/request-params';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi';
import { ConnectionViewDto, CreateConnectionDto, UpdateConnectionDto } from './connections.dto';
import { ConnectionsService } from './connections.service';

@ApiTags('connections')
@ApiBearerAuth()
@Controller('api/connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listConnections',
    summary: 'Connections (credentials are never returned)',
  })
  @ApiOkResponse({ type: [ConnectionViewDto] })
  list() {
    return this.connections.list();
  }

  @Post()
  @ApiOperation({
    operationId: 'createConnection',
    summary: 'Add a connection in a non-OAuth mode; it is checked against the destination first',
  })
  @ApiCreatedResponse({ type: ConnectionViewDto })
  @ApiErrors({
    409: 'the same account is already connected',
    422: 'unknown type or mode, bad settings, or the destination refused the credentials',
  })
  create(@Body() dto: CreateConnectionDto, @Actor() actor: string) {
    return this.connections.createChecked(dto, actor);
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateConnection',
    summary: 'Change name, settings (mapping), credentials or status',
  })
  @ApiOkResponse({ type: ConnectionViewDto })
  @ApiErrors({
    404: 'unknown connection',
    422: 'bad settings or credentials, or the destination refused them',
  })
  update(
    @Param('id', UUID_PARAM) id: string,
    @Body() dto: UpdateConnectionDto,
    @Actor() actor: string,
  ) {
    return this.connections.update(id, dto, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteConnection',
    summary: 'Remove a connection (its open deliveries end as skipped)',
  })
  @ApiNoContentResponse({ description: 'removed' })
  @ApiErrors({ 404: 'unknown connection' })
  async remove(@Param('id', UUID_PARAM) id: string, @Actor() actor: string) {
    await this.connections.remove(id, actor);
  }
}
