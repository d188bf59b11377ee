/**
 * Local emulator of the VPOS.am merchant API (docs/vpos.md): payment sessions behind a bearer token,
 * a hosted checkout page, signed webhooks with retries, and controls for tests and demos.
 *
 * Layout: session-model.ts (types, validation, status machine), signing.ts, webhook-delivery.ts,
 * emulator-state.ts (state + programmatic controls), http-routes.ts, checkout-page.ts, http-io.ts.
 */
import { closeServer, listenLocal } from '../common/server';
import http from 'node:http';
import { EmulatorState } from './emulator-state';
import type { VposEmulator, VposEmulatorOptions } from './emulator-types';
import { createRequestListener } from './http-routes';

export type {
  EmulatorEvent,
  EventDisposition,
  SendRawOptions,
  SetStatusOptions,
  SetStatusResult,
  VposEmulator,
  VposEmulatorOptions,
  WebhookControl,
} from './emulator-types';
export { EmulatorError, PAYMENT_STATUSES } from './session-model';
export type { PaymentStatus, VposCustomer, VposSession, VposWebhookEvent } from './session-model';
export type { DeliveryAttempt, HttpResult, WebhookDelivery } from './webhook-delivery';
export type { HmacEncoding, SignatureScheme } from './signing';
export { formatAmount } from './checkout-page';

class RunningVposEmulator extends EmulatorState implements VposEmulator {
  url = '';
  port = 0;
  private readonly server: http.Server;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: VposEmulatorOptions) {
    super(options);
    this.server = http.createServer(createRequestListener(this));
  }

  async listen(port: number): Promise<void> {
    this.port = await listenLocal(this.server, port);
    this.url = `http://127.0.0.1:${this.port}`;
    this.publicUrl = (this.options.publicUrl ?? this.url).replace(/\/+$/, '');
    this.sweepTimer = setInterval(() => this.sweep(), this.options.expirySweepIntervalMs ?? 1000);
    this.sweepTimer.unref();
  }

  close(): Promise<void> {
    if (!this.closing) {
      clearInterval(this.sweepTimer);
      this.dispatcher.shutdown();
      this.closing = closeServer(this.server);
    }
    return this.closing;
  }
}

/** Starts the emulator on 127.0.0.1 (`port` 0 or omitted = a free port). */
export async function startVposEmulator(options: VposEmulatorOptions): Promise<VposEmulator> {
  const emulator = new RunningVposEmulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}
