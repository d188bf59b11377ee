import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateConnectionDto, UpdateConnectionDto } from './connections.dto';
import { ConnectionsService } from './connections.service';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 422 });
const actorOf = (value: string | undefined) =>
  value && /^[\p{L}\p{N} ._@-]{1,64}$/u.test(value) ? value : 'admin';

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
  create(@Body() dto: CreateConnectionDto, @Headers('x-actor') actor: string | undefined) {
    return this.connections.createChecked(dto, actorOf(actor));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, settings (mapping), credentials or status' })
  update(
    @Param('id', uuid) id: string,
    @Body() dto: UpdateConnectionDto,
    @Headers('x-actor') actor: string | undefined,
  ) {
    return this.connections.update(id, dto, actorOf(actor));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a connection (its open deliveries end as skipped)' })
  async remove(@Param('id', uuid) id: string, @Headers('x-actor') actor: string | undefined) {
    await this.connections.remove(id, actorOf(actor));
  }
}
