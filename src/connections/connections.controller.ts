import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { Actor, UUID_PARAM } from '../common/request-params';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateConnectionDto, UpdateConnectionDto } from './connections.dto';
import { ConnectionsService } from './connections.service';

@ApiTags('connections')
@ApiBearerAuth()
@Controller('api/connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Get()
  @ApiOperation({ summary: 'Connections (credentials are never returned)' })
  list() {
    return this.connections.list();
  }

  @Post()
  @ApiOperation({
    summary: 'Add a connection in a non-OAuth mode; it is checked against the destination first',
  })
  create(@Body() dto: CreateConnectionDto, @Actor() actor: string) {
    return this.connections.createChecked(dto, actor);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, settings (mapping), credentials or status' })
  update(
    @Param('id', UUID_PARAM) id: string,
    @Body() dto: UpdateConnectionDto,
    @Actor() actor: string,
  ) {
    return this.connections.update(id, dto, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a connection (its open deliveries end as skipped)' })
  async remove(@Param('id', UUID_PARAM) id: string, @Actor() actor: string) {
    await this.connections.remove(id, actor);
  }
}
