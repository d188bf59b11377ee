import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Returns how many deliveries it resumed. */
export type ReconnectListener = (m: EntityManager, connectionId: string) => Promise<number>;

/**
 * "A connection has usable credentials again", told inside the transaction that made it so.
 * The delivery module listens (it resumes parked deliveries); connections does not know it.
 */
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
