import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export const OUTBOX_CHANNEL = 'vposhub_outbox';
const RECONNECT_MS = 1000;

// Notifications raised while disconnected are lost, so a reconnect wakes subscribers once.
@Injectable()
export class PgNotifications implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PgNotifications.name);
  private readonly subscribers: Array<() => void> = [];
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;
  reconnectDelayMs = RECONNECT_MS;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  subscribe(wake: () => void): void {
    this.subscribers.push(wake);
  }

  onModuleInit(): void {
    void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.config.database.url,
      application_name: 'vpos-hub-listener',
    });
    this.client = client;
    client.on('notification', () => this.notify());
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (this.failures > 0) this.logger.log('listening for outbox notifications again');
      this.failures = 0;
      this.notify();
    } catch {
      this.lost(client);
    }
  }

  private lost(client: Client): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    this.failures++;
    if (this.failures === 1) this.logger.warn('outbox notifications lost; polling until back');
    client.end().catch(() => undefined);
    this.timer = setTimeout(() => void this.connect(), this.reconnectDelayMs);
  }

  private notify(): void {
    for (const wake of this.subscribers) wake();
  }
}
