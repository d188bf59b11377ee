import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CreateProductDto, UpdateProductDto } from './payment-links.dto';
import { Product } from './product.entity';

@Injectable()
export class ProductsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateProductDto, actor: string): Promise<Product> {
    const currency = dto.currency ?? 'AMD';
    this.checkCurrency(currency);
    const ttl = dto.defaultTtlSeconds ?? this.config.links.defaultTtlSeconds;
    this.checkTtl(ttl);
    const id = randomUUID();
    await this.ds.query(
      `INSERT INTO products (id, name, amount_minor, currency, description, default_ttl_seconds)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, dto.name, dto.amountMinor, currency, dto.description ?? null, ttl],
    );
    await this.audit.record({ kind: 'product.created', actor, data: { productId: id, ...dto } });
    return this.get(id);
  }

  list(): Promise<Product[]> {
    return this.ds.getRepository(Product).find({ order: { createdAt: 'ASC' } });
  }

  async get(id: string): Promise<Product> {
    const product = await this.ds.getRepository(Product).findOneBy({ id });
    if (!product) throw new NotFoundException(`id: no product "${id}"`);
    return product;
  }

  async update(id: string, dto: UpdateProductDto, actor: string): Promise<Product> {
    await this.get(id);
    if (dto.defaultTtlSeconds !== undefined) this.checkTtl(dto.defaultTtlSeconds);
    await this.ds.query(
      `UPDATE products SET name = coalesce($2, name), amount_minor = coalesce($3, amount_minor),
         description = coalesce($4, description),
         default_ttl_seconds = coalesce($5, default_ttl_seconds), active = coalesce($6, active),
         updated_at = now()
       WHERE id = $1`,
      [
        id,
        dto.name ?? null,
        dto.amountMinor ?? null,
        dto.description ?? null,
        dto.defaultTtlSeconds ?? null,
        dto.active ?? null,
      ],
    );
    await this.audit.record({ kind: 'product.updated', actor, data: { productId: id, ...dto } });
    return this.get(id);
  }

  private checkCurrency(currency: string): void {
    if (!this.config.links.currencies.includes(currency)) {
      throw new UnprocessableEntityException(`currency: ${currency} is not enabled`);
    }
  }

  private checkTtl(ttl: number): void {
    if (ttl > this.config.links.maxTtlSeconds) {
      throw new UnprocessableEntityException(
        `defaultTtlSeconds: at most ${this.config.links.maxTtlSeconds}`,
      );
    }
  }
}
