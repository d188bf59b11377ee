import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../database/transformers';

@Entity('products')
export class Product {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('bigint', { name: 'amount_minor', transformer: bigintNumber }) amountMinor: number;
  @Column('text') currency: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('int', { name: 'default_ttl_seconds' }) defaultTtlSeconds: number;
  @Column('boolean') active: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
