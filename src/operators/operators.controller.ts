import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Public } from '../common/public.decorator';
import { ApiErrors } from '../common/openapi';
import { Actor, UUID_PARAM } from '../common/request-params';
import { operatorOf, readCookie, SESSION_COOKIE } from '../common/session-auth';
import {
  CreateOperatorDto,
  OperatorView,
  SessionView,
  SignInDto,
  UpdateOperatorDto,
} from './operators.dto';
import { OperatorsService } from './operators.service';
import { SessionsService } from './sessions.service';
import { SignInLimiter, TooManySignInsException } from './sign-in-limiter';

const error = { schema: { $ref: '#/components/schemas/Error' } };

@ApiTags('operators')
@ApiBearerAuth()
@Controller('api')
export class OperatorsController {
  private readonly cookie: CookieOptions;
  private readonly timeZone: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly operators: OperatorsService,
    private readonly sessions: SessionsService,
    private readonly limiter: SignInLimiter,
  ) {
    this.timeZone = config.businessTimeZone;
    this.cookie = {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: config.http.publicBaseUrl.startsWith('https:'),
    };
  }

  @Post('operators')
  @ApiOperation({
    operationId: 'createOperator',
    summary: 'Add an operator (the first one with the admin token)',
  })
  @ApiCreatedResponse({ type: OperatorView })
  @ApiConflictResponse({ description: 'the email is taken', ...error })
  create(@Body() dto: CreateOperatorDto, @Actor() actor: string): Promise<OperatorView> {
    return this.operators.create(dto, actor);
  }

  @Get('operators')
  @ApiOperation({ operationId: 'listOperators', summary: 'Operators' })
  @ApiOkResponse({ type: [OperatorView] })
  list(): Promise<OperatorView[]> {
    return this.operators.list();
  }

  @Patch('operators/:id')
  @ApiOperation({
    operationId: 'updateOperator',
    summary: 'Disable an operator (their sessions end) or enable them again',
  })
  @ApiOkResponse({ type: OperatorView })
  @ApiErrors({ 404: 'unknown operator', 409: 'an operator cannot disable their own account' })
  update(
    @Param('id', UUID_PARAM) id: string,
    @Body() dto: UpdateOperatorDto,
    @Actor() actor: string,
    @Req() req: Request,
  ): Promise<OperatorView> {
    return this.operators.update(id, dto, actor, operatorOf(req)?.id);
  }

  @Post('session')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'signIn',
    summary: 'Sign in: sets the session cookie, returns the CSRF token',
  })
  @ApiOkResponse({ type: SessionView })
  @ApiUnauthorizedResponse({ description: 'wrong email or password', ...error })
  @ApiTooManyRequestsResponse({ description: 'too many failures (Retry-After)', ...error })
  async signIn(
    @Body() dto: SignInDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionView> {
    const ip = req.ip ?? 'unknown';
    try {
      await this.limiter.assertAllowed(ip, dto.email);
    } catch (err) {
      if (err instanceof TooManySignInsException) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
      }
      throw err;
    }
    const operator = await this.operators.verify(dto.email, dto.password);
    if (!operator) {
      await this.limiter.failed(ip, dto.email);
      throw new UnauthorizedException('email: wrong email or password');
    }
    await this.limiter.succeeded(ip, dto.email);
    const { token, expiresAt } = await this.sessions.open(operator);
    res.cookie(SESSION_COOKIE, token, { ...this.cookie, expires: expiresAt });
    const { id, email, name } = operator;
    return {
      operator: { id, email, name },
      csrfToken: this.sessions.csrfToken(token),
      expiresAt,
      timeZone: this.timeZone,
    };
  }

  @Get('session')
  @ApiOperation({ operationId: 'getSession', summary: 'The signed-in operator and the CSRF token' })
  @ApiOkResponse({ type: SessionView })
  @ApiUnauthorizedResponse({ description: 'no session', ...error })
  async current(@Req() req: Request): Promise<SessionView> {
    const operator = operatorOf(req);
    const token = readCookie(req, SESSION_COOKIE);
    if (!operator || !token) throw new UnauthorizedException('session: not signed in');
    const { id, email, name } = operator;
    return {
      operator: { id, email, name },
      csrfToken: this.sessions.csrfToken(token),
      expiresAt: await this.sessions.expiresAt(operator.sessionId),
      timeZone: this.timeZone,
    };
  }

  @Delete('session')
  @HttpCode(204)
  @ApiOperation({ operationId: 'signOut', summary: 'Sign out: revokes the session' })
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const operator = operatorOf(req);
    if (operator) await this.sessions.revoke(operator.sessionId);
    res.clearCookie(SESSION_COOKIE, this.cookie);
  }
}
