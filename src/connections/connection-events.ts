import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type ReconnectListener = (m: EntityManager, connectionId: string) => Promise<number>;
export type ChangeListener = (
  m: EntityManager,
  connectionId: string,
  change: 'settings' | 'removing',
) => Promise<void>;

// Told inside the transaction that made the credentials usable again; delivery listens.
@Injectable()
export class ConnectionEvents {
  private readonly listeners: ReconnectListener[] = [];
  private readonly changeListeners: ChangeListener[] = [];

  onReconnected(listener: ReconnectListener): void {
    this.listeners.push(listener);
  }

  onChanged(listener: ChangeListener): void {
    this.changeListeners.push(listener);
  }

  /** Settings were saved, or the connection is about to lose its credentials (removal). */
  async changed(m: EntityManager, connectionId: string, change: 'settings' | 'removing') {
    for (const listener of this.changeListeners) await listener(m, connectionId, change);
  }

  async reconnected(m: EntityManager, connectionId: string): Promise<number> {
    let resumed = 0;
    for (const listener of this.listeners) resumed += await listener(m, connectionId);
    return resumed;
  }
}
