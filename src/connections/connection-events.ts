import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type ReconnectListener = (m: EntityManager, connectionId: string) => Promise<number>;

// Told inside the transaction that made the credentials usable again; delivery listens.
@Injectable()
export class ConnectionEvents {
  private readonly listeners: ReconnectListener[] = [];

  onReconnected(listener: ReconnectListener): void {
    this.listeners.push(listener);
  }

  async reconnected(m: EntityManager, connectionId: string): Promise<number> {
    let resumed = 0;
    for (const listener of this.listeners) resumed += await listener(m, connectionId);
    return resumed;
  }
}
