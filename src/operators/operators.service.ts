import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { compare, hash } from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Operator } from './operator.entity';
import { CreateOperatorDto, OperatorView } from './operators.dto';

const COST = 11;

const view = (o: Operator): OperatorView => ({
  id: o.id,
  email: o.email,
  name: o.name,
  createdAt: o.createdAt,
});

@Injectable()
export class OperatorsService {
  // Compared against when the email is unknown, so both answers take as long.
  private dummy?: Promise<string>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateOperatorDto, actor: string): Promise<OperatorView> {
    const passwordHash = await hash(dto.password, COST);
    const email = dto.email.trim().toLowerCase();
    const rows = await this.ds.query<OperatorView[]>(
      `INSERT INTO operators (email, name, password_hash, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING id, email, name, created_at AS "createdAt"`,
      [email, dto.name, passwordHash, actor],
    );
    if (rows.length === 0) throw new ConflictException('email: an operator with it exists');
    await this.audit.record({
      kind: 'operator.created',
      actor,
      data: { operatorId: rows[0].id, email, name: dto.name },
    });
    return rows[0];
  }

  async list(): Promise<OperatorView[]> {
    const all = await this.ds.getRepository(Operator).find({ order: { createdAt: 'ASC' } });
    return all.map(view);
  }

  /** The operator when the password matches; null otherwise, in about the same time. */
  async verify(email: string, password: string): Promise<Operator | null> {
    const found = await this.ds
      .getRepository(Operator)
      .createQueryBuilder('o')
      .addSelect('o.passwordHash')
      .where('lower(o.email) = lower(:email)', { email: email.trim() })
      .getOne();
    this.dummy ??= hash(randomBytes(16).toString('hex'), COST);
    const ok = await compare(password, found?.passwordHash ?? (await this.dummy));
    return found && ok ? found : null;
  }
}
