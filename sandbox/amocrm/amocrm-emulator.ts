/**
 * Local emulator of the amoCRM / Kommo API v4 and its OAuth 2.0 (docs/crm-apis.md B1-B5, E): the
 * consent page and token endpoint, account, leads, notes, custom fields and pipelines, the 7 rps
 * limit, validation errors, and controls for tests and demos.
 *
 * Layout: amocrm-types.ts (public types), amocrm-state.ts (state and controls), amocrm-oauth.ts,
 * amocrm-crm.ts (the account's data), lead-input.ts (validation), crm-query.ts (filters, paging,
 * HAL), amocrm-routes.ts and control-routes.ts (HTTP), route-table.ts, http-io.ts.
 */
import { closeServer, listenLocal } from '../common/server';
import http from 'node:http';
import { createRequestListener } from './amocrm-routes';
import { AmoState } from './amocrm-state';
import type { AmocrmEmulator, AmocrmEmulatorOptions } from './amocrm-types';
import { leadEventControls, type LeadEventControls } from './lead-events';

export type * from './amocrm-types';
export { HttpError } from './http-io';
export { OAUTH_PROBLEM_TYPE } from './amocrm-oauth';
export { LOST_STATUS_ID, NOTE_TYPES, WON_STATUS_ID } from './lead-input';
export type { AmoContact, AmoWebhook, LeadEventControls } from './lead-events';
export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI } from './amocrm-state';

class RunningAmocrmEmulator extends AmoState implements AmocrmEmulator {
  private readonly server: http.Server;
  private closing: Promise<void> | undefined;

  constructor(options: AmocrmEmulatorOptions) {
    super(options);
    this.server = http.createServer(createRequestListener(this));
  }

  async listen(port: number): Promise<void> {
    this.port = await listenLocal(this.server, port);
    this.host = `127.0.0.1:${this.port}`;
    this.url = `http://${this.host}`;
  }

  close(): Promise<void> {
    this.closing ??= closeServer(this.server);
    return this.closing;
  }
}

/** Starts the emulator on 127.0.0.1 (`port` 0 or omitted = a free port). */
export async function startAmocrmEmulator(
  options: AmocrmEmulatorOptions = {},
): Promise<AmocrmEmulator & LeadEventControls> {
  const emulator = new RunningAmocrmEmulator(options);
  await emulator.listen(options.port ?? 0);
  return Object.assign(emulator, leadEventControls(emulator));
}
