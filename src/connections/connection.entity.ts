import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ConnectionStatus = 'active' | 'needs_reconnect' | 'disabled';

@Entity('connections')
export class Connection {
  @PrimaryColumn('uuid') id: string;
  @Column('text') type: string;
  @Column('text', { name: 'display_name' }) displayName: string;
  @Column('text') mode: string;
  @Column('jsonb') account: Record<string, unknown>;
  @Column('text') status: ConnectionStatus;
  @Column('text', { name: 'status_reason', nullable: true }) statusReason: string | null;
  @Column('jsonb') settings: Record<string, unknown>;
  @Column('bytea', { nullable: true, select: false }) credentials: Buffer | null;
  @Column('int', { name: 'credentials_version' }) credentialsVersion: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
}
