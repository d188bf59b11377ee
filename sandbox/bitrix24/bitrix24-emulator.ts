/**
 * Local emulator of the Bitrix24 REST API and its OAuth server (shared/docs/crm-apis.md, A and E):
 * portals with deals, pipelines, user fields, timeline comments and webhooks; OAuth codes and
 * rotating tokens; batch; the per-portal leaky bucket; injectable faults; test controls.
 *
 * Layout: emulator-state.ts (state), emulator-controls.ts, *-routes.ts (HTTP), *-methods.ts (REST methods),
 * oauth-store.ts, portal-model.ts (+ portal-types.ts), deal-fields.ts, list-query.ts, batch.ts, limits.ts.
 */
import { closeServer, listenLocal } from '../common/server';
import http from 'node:http';
import { EventEmittingControls } from './event-controls';
import type { Bitrix24Emulator, Bitrix24EmulatorOptions } from './emulator-types';
import { createRequestListener } from './http-routes';

export type {
  AppStatus,
  AuthorizeResult,
  Bitrix24Counters,
  Bitrix24Emulator,
  Bitrix24EmulatorOptions,
  PortalInfo,
  PortalScoped,
  TokenResponse,
  WebhookInfo,
} from './emulator-types';
export type { FaultSpec } from './limits';
export type { DealEventControls } from './event-controls';
export type { OAuthCounters } from './oauth-store';
export type {
  CategoryOptions,
  CommentRow,
  DealRow,
  PortalCounters,
  PortalOptions,
  PortalUserOptions,
  StageOptions,
  StageSemantics,
  UserFieldOptions,
  UserFieldType,
  WebhookOptions,
} from './portal-types';

class RunningBitrix24Emulator extends EventEmittingControls implements Bitrix24Emulator {
  url = '';
  port = 0;
  private readonly server: http.Server;
  private closing: Promise<void> | undefined;

  constructor(options: Bitrix24EmulatorOptions) {
    super(options);
    this.server = http.createServer(createRequestListener(this));
  }

  get oauthServerUrl(): string {
    return this.publicUrl;
  }

  async listen(port: number): Promise<void> {
    this.port = await listenLocal(this.server, port);
    this.url = `http://127.0.0.1:${this.port}`;
    this.publicUrl = (this.options.publicUrl ?? this.url).replace(/\/+$/, '');
  }

  close(): Promise<void> {
    this.closing ??= closeServer(this.server);
    return this.closing;
  }
}

/** Starts the emulator on 127.0.0.1 (`port` 0 or omitted = a free port). */
export async function startBitrix24Emulator(
  options: Bitrix24EmulatorOptions = {},
): Promise<Bitrix24Emulator> {
  const emulator = new RunningBitrix24Emulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}
