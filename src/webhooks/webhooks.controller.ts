import { Body, Controller, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IntakeResult, WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('vpos')
  @HttpCode(200)
  @ApiOperation({
    summary: 'VPOS webhook receiver',
    description:
      'Signed raw body (Standard Webhooks by default). 200 once durably stored; a duplicate ' +
      'also answers 200 and changes nothing.',
  })
  @ApiConsumes('application/json')
  @ApiBody({ schema: { type: 'object' } })
  @ApiResponse({ status: 200, description: 'stored (or duplicate)' })
  @ApiResponse({ status: 400, description: 'malformed JSON or no event id' })
  @ApiResponse({ status: 401, description: 'missing, wrong or stale signature' })
  @ApiResponse({ status: 413, description: 'body over 256 KB' })
  receive(
    @Body() body: unknown,
    @Headers() headers: Record<string, string>,
    @Ip() ip: string,
  ): Promise<IntakeResult> {
    return this.webhooks.ingest(body, headers, ip);
  }
}
