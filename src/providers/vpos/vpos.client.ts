import { Inject, Injectable } from '@nestjs/common';
import { AxiosInstance, isAxiosError } from 'axios';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { classifyHttpError, ExternalApiError } from '../../common/errors';
import { createHttpClient } from '../../common/http-client';
import { readMinor, readPath, readString } from './field-path';
import { mapVposStatus, MappedStatus } from './vpos-status';

export const VPOS_CRM_REF_KEYS = Symbol('VPOS_CRM_REF_KEYS');

export interface VposSessionView {
  sessionId: string;
  providerStatus?: string;
  status: MappedStatus;
  orderId?: string;
  amountMinor?: number;
  currency?: string;
  refundedAmountMinor?: number;
  customerPhone?: string;
  customerId?: string;
  crm: Record<string, string>;
  raw: unknown;
}

export interface CreateSessionBody {
  merchantOrderId: string;
  amountMinor: number;
  currency: string;
  provider?: string;
  returnUrl?: string;
  customer?: { phone?: string; email?: string; name?: string };
  metadata?: Record<string, unknown>;
  expiresAt?: string;
}

export interface CreatedSession {
  id: string;
  url: string;
  status?: string;
  expiresAt?: Date;
}

/** Keeps the provider's own error message (e.g. a 422 naming its field) for the caller. */
function withProviderMessage(e: ExternalApiError, err: unknown): ExternalApiError {
  const body = isAxiosError(err) ? (err.response?.data as unknown) : undefined;
  const detail = readString(body, 'error.message') ?? readString(body, 'message');
  if (!detail) return e;
  return new ExternalApiError(
    e.service,
    e.kind,
    e.code,
    `${e.message}: ${detail}`,
    e.httpStatus,
    e.retryAfterMs,
  );
}

@Injectable()
export class VposClient {
  private readonly http: AxiosInstance;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(VPOS_CRM_REF_KEYS) private readonly crmRefKeys: readonly string[],
  ) {
    const token = config.vpos.apiToken;
    this.http = createHttpClient({
      baseURL: config.vpos.apiBaseUrl,
      timeoutMs: config.vpos.timeoutMs,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  }

  async getSession(sessionId: string): Promise<VposSessionView> {
    const path = this.config.vpos.statusPath.replace('{id}', encodeURIComponent(sessionId));
    let data: unknown;
    try {
      data = (await this.http.get<unknown>(path)).data;
    } catch (err) {
      const e = classifyHttpError('vpos', err);
      if (e.httpStatus === 404) {
        throw new ExternalApiError(
          'vpos',
          'permanent',
          'not_found',
          'vpos: session not found',
          404,
        );
      }
      throw e;
    }
    if (!data || typeof data !== 'object') {
      throw new ExternalApiError('vpos', 'retryable', 'BAD_BODY', 'vpos: lookup body is not JSON');
    }
    return this.toView(sessionId, data);
  }

  // Our Idempotency-Key (one per attempt): a network retry returns the same session, not a second one.
  async createSession(body: CreateSessionBody, idempotencyKey: string): Promise<CreatedSession> {
    let data: unknown;
    try {
      data = (
        await this.http.post<unknown>(this.config.vpos.createPath, body, {
          headers: { 'idempotency-key': idempotencyKey, 'content-type': 'application/json' },
        })
      ).data;
    } catch (err) {
      throw withProviderMessage(classifyHttpError('vpos', err), err);
    }
    const id = readString(data, 'id');
    const url =
      readString(data, 'checkoutUrl') ?? readString(data, 'url') ?? readString(data, 'paymentUrl');
    if (!id || !url) {
      throw new ExternalApiError(
        'vpos',
        'retryable',
        'BAD_BODY',
        'vpos: session answer lacks id or checkout URL',
      );
    }
    const expires = readString(data, 'expiresAt');
    return {
      id,
      url,
      status: readString(data, 'status'),
      expiresAt: expires && !Number.isNaN(Date.parse(expires)) ? new Date(expires) : undefined,
    };
  }

  private toView(sessionId: string, data: unknown): VposSessionView {
    const f = this.config.vpos.fields;
    const providerStatus = readString(data, f.lookupStatus);
    const crmRaw = readPath(data, f.lookupCrm);
    const crm: Record<string, string> = {};
    for (const key of crmRaw && typeof crmRaw === 'object' ? this.crmRefKeys : []) {
      const ref = readString(crmRaw, key);
      if (ref) crm[key] = ref;
    }
    return {
      sessionId,
      providerStatus,
      status: mapVposStatus(providerStatus, this.config.vpos.statusMap),
      orderId: readString(data, f.lookupOrderId),
      amountMinor: readMinor(data, f.lookupAmountMinor),
      currency: readString(data, f.lookupCurrency)?.toUpperCase(),
      refundedAmountMinor: readMinor(data, f.lookupRefundedAmountMinor),
      customerPhone: readString(data, f.lookupCustomerPhone),
      customerId: readString(data, f.lookupCustomerId),
      crm,
      raw: data,
    };
  }
}
