/**
 * Local emulator of Google OAuth 2.0 and the Google Sheets API v4 (docs/crm-apis.md C1-C5, D, E):
 * authorize/consent, token (code, refresh, service-account JWT), revoke, tokeninfo/userinfo, and
 * spreadsheets + spreadsheets.values at the root, so its URL is usable as the googleapis rootUrl.
 *
 * Layout: google-types.ts (public types), google-state.ts (state and controls), google-oauth.ts,
 * sheet-model.ts (values semantics), a1-range.ts, oauth-routes.ts, sheets-routes.ts,
 * control-routes.ts, google-routes.ts (listener), route-table.ts, http-io.ts.
 */
import { closeServer, listenLocal } from '../common/server';
import http from 'node:http';
import { createRequestListener } from './google-routes';
import { GoogleState } from './google-state';
import type { GoogleEmulator, GoogleEmulatorOptions } from './google-types';

export type * from './google-types';
export { HttpError } from './http-io';
export { JWT_BEARER, SHEETS_SCOPE, subjectOf } from './identity';
export { columnIndex, columnLetters, formatA1, parseA1, type A1Range } from './a1-range';
export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_USER_EMAIL } from './google-state';

class RunningGoogleEmulator extends GoogleState implements GoogleEmulator {
  private readonly server: http.Server;
  private closing: Promise<void> | undefined;

  constructor(options: GoogleEmulatorOptions) {
    super(options);
    this.server = http.createServer(createRequestListener(this));
  }

  async listen(port: number): Promise<void> {
    this.port = await listenLocal(this.server, port);
    this.url = `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    this.closing ??= closeServer(this.server);
    return this.closing;
  }
}

/** Starts the emulator on 127.0.0.1 (`port` 0 or omitted = a free port). */
export async function startGoogleEmulator(
  options: GoogleEmulatorOptions = {},
): Promise<GoogleEmulator> {
  const emulator = new RunningGoogleEmulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}
