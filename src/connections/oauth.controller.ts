import {
  BadRequestException,
  Controller,
  Get,
  HttpException,
  Inject,
  Param,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { Actor } from '../common/request-params';
import {
  ApiBearerAuth,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi';
import type { Request, Response } from 'express';
import { toErrorBody } from '../common/http-exception.filter';
import { Public } from '../common/public.decorator';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { OAuthService } from './oauth.service';

const COOKIE = 'vposhub_oauth';
const OAUTH_PROVIDER_NAMES = ['bitrix24', 'amocrm', 'google'];
const HTML_PAGE = { content: { 'text/html': { schema: { type: 'string' } } } };

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      throw new BadRequestException(`cookie: ${name} is not valid percent-encoding`);
    }
  }
  return undefined;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}</style>
</head><body><h1>${escape(title)}</h1><p>${escape(message)}</p>
<p><a href="/admin/connections">Back to the console</a></p></body></html>`;
}

@ApiTags('connections')
@Controller()
export class OAuthController {
  constructor(
    private readonly oauth: OAuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('api/connections/oauth/:provider/start')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'startOAuth',
    summary: "302 to the provider's consent page (bitrix24 takes ?portal=)",
  })
  @ApiParam({ name: 'provider', enum: OAUTH_PROVIDER_NAMES })
  @ApiQuery({ name: 'portal', required: false, description: 'bitrix24: the portal host' })
  @ApiQuery({ name: 'spreadsheetId', required: false, description: 'google: the sheet to write' })
  @ApiResponse({
    status: 302,
    description: 'to the consent page; sets the short-lived flow cookie',
    headers: {
      Location: { description: "the provider's consent URL", schema: { type: 'string' } },
    },
  })
  @ApiErrors({
    400: 'a query parameter given twice',
    404: 'unknown provider',
    422: 'provider not configured, or a missing or bad portal or spreadsheetId',
  })
  async start(
    @Param('provider') provider: string,
    @Query() query: Record<string, unknown>,
    @Actor() actor: string,
    @Res() res: Response,
  ): Promise<void> {
    const { url, session } = await this.oauth.start(provider, query, actor);
    res.cookie(COOKIE, session, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.http.publicBaseUrl.startsWith('https://'),
      path: '/oauth',
      maxAge: 10 * 60_000,
    });
    res.redirect(302, url);
  }

  @Get('oauth/:provider/callback')
  @Public()
  @ApiOperation({
    operationId: 'completeOAuth',
    summary: 'OAuth redirect target: exchanges the code and stores the tokens',
    description: 'A page for the person in the browser; failures are pages too, with the reason.',
  })
  @ApiParam({ name: 'provider', enum: OAUTH_PROVIDER_NAMES })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'connected', ...HTML_PAGE })
  @ApiResponse({ status: 400, description: 'missing, used, expired or forged state', ...HTML_PAGE })
  @ApiResponse({ status: 404, description: 'unknown provider', ...HTML_PAGE })
  @ApiResponse({ status: 422, description: 'the provider answered with an error', ...HTML_PAGE })
  @ApiResponse({ status: 502, description: 'the code exchange failed', ...HTML_PAGE })
  async callback(
    @Param('provider') provider: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    res.clearCookie(COOKIE, { path: '/oauth' });
    try {
      const done = await this.oauth.callback(provider, query, cookieOf(req, COOKIE));
      res
        .status(200)
        .type('html')
        .send(
          page('Connected', `${done.displayName} is connected (connection ${done.connectionId}).`),
        );
    } catch (err) {
      const status = err instanceof HttpException ? err.getStatus() : 502;
      const message =
        err instanceof HttpException
          ? toErrorBody(err, '').message
          : `the provider refused the authorization: ${(err as Error).message}`;
      res.status(status).type('html').send(page('Connection failed', message));
    }
  }
}
