import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { compare, hash } from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Operator } from './operator.entity';
import { CreateOperatorDto, OperatorView, UpdateOperatorDto } from './operators.dto';

const COST = 11;

const view = (o: Operator): OperatorView => ({
  id: o.id,
  email: o.email,
  name: o.name,
  createdAt: o.createdAt,
  disabledAt: o.disabledAt,
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
       ON CONFLICT DO NOTHING
       RETURNING id, email, name, created_at AS "createdAt", disabled_at AS "disabledAt"`,
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

  /** Disabling ends the operator's sessions at once; nobody disables their own account. */
  async update(
    id: string,
    dto: UpdateOperatorDto,
    actor: string,
    self?: string,
  ): Promise<OperatorView> {
    if (dto.disabled && id === self) {
      throw new ConflictException('disabled: you cannot disable your own account');
    }
    const found = await this.ds.transaction(async (m) => {
      const [rows] = await m.query<[Operator[], number]>(
        `UPDATE operators SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END
         WHERE id = $1
         RETURNING id, email, name, created_at AS "createdAt", disabled_at AS "disabledAt"`,
        [id, dto.disabled],
      );
      if (rows[0] && dto.disabled) {
        await m.query(
          `UPDATE operator_sessions SET revoked_at = now()
           WHERE operator_id = $1 AND revoked_at IS NULL`,
          [id],
        );
      }
      return rows[0];
    });
    if (!found) throw new NotFoundException('id: no such operator');
    await this.audit.record({
      kind: dto.disabled ? 'operator.disabled' : 'operator.enabled',
      actor,
      data: { operatorId: id, email: found.email },
    });
    return view(found);
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
    return found && ok && !found.disabledAt ? found : null;
  }
}
