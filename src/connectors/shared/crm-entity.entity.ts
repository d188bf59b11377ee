import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('crm_entities')
export class CrmEntity {
  @PrimaryColumn('uuid', { name: 'connection_id' }) connectionId: string;
  @PrimaryColumn('text', { name: 'order_id' }) orderId: string;
  @PrimaryColumn('text', { name: 'entity_type' }) entityType: string;
  @Column('text', { name: 'external_id' }) externalId: string;
  @Column('jsonb') detail: Record<string, unknown>;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
