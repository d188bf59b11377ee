import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/public.decorator';
import { CrmEventIntake } from './crm-event-intake.service';

const OK = {
  description: 'stored (accepted), already stored (duplicate), or no trigger set (ignored)',
  schema: {
    type: 'object',
    properties: {
      status: { enum: ['accepted', 'duplicate', 'ignored'] },
      eventId: { type: 'string' },
    },
  },
};

/** CRM events asking for payment links: hints only, stored and answered at once. */
@ApiTags('webhooks')
@Public()
@Controller('webhooks')
export class CrmWebhooksController {
  constructor(private readonly intake: CrmEventIntake) {}

  @Post('bitrix24')
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({
    operationId: 'receiveBitrix24Event',
    summary: 'Bitrix24 deal events (event.bind handler or outgoing webhook)',
    description:
      'Form-encoded `event`, `data[FIELDS][ID]`, `ts`, `auth[domain]`, `auth[member_id]`, ' +
      '`auth[application_token]`; the token must match the connection of that portal.',
  })
  @ApiOkResponse(OK)
  @ApiBadRequestResponse({ description: 'a field is missing or malformed (named)' })
  @ApiUnauthorizedResponse({ description: 'auth[application_token] does not match' })
  @ApiForbiddenResponse({ description: 'the portal is not connected' })
  bitrix24(@Body() body: unknown, @Req() req: Request) {
    return this.intake.ingest('bitrix24', body, rawOf(req));
  }

  @Post('amocrm')
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({
    operationId: 'receiveAmocrmWebhook',
    summary: 'amoCRM lead status webhooks',
    description:
      'Form-encoded `leads[status][0][id]`, `[status_id]`, `[pipeline_id]`, `account[id]`, ' +
      '`account[subdomain]`. Unsigned: only connected accounts are accepted, and the lead is read again.',
  })
  @ApiOkResponse(OK)
  @ApiBadRequestResponse({ description: 'a field is missing or malformed (named)' })
  @ApiForbiddenResponse({ description: 'the account is not connected' })
  amocrm(@Body() body: unknown, @Req() req: Request) {
    return this.intake.ingest('amocrm', body, rawOf(req));
  }
}

function rawOf(req: Request): string {
  return JSON.stringify(req.body ?? {});
}
