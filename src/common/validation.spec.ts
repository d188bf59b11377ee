import { plainToInstance, Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsString,
  MaxLength,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { Optional, validationMessages } from './validation';

class Inner {
  @Optional()
  @IsString({ message: 'inner.phone must be a string' })
  @MaxLength(3)
  phone?: string;
}

class Outer {
  @Optional()
  @IsInt()
  amount?: number;

  @Optional()
  @IsObject({ message: 'inner must be an object' })
  @ValidateNested()
  @Type(() => Inner)
  inner?: Inner;
}

const messages = (plain: object) =>
  validationMessages(validateSync(plainToInstance(Outer, plain), { forbidUnknownValues: false }));

describe('Optional and validation messages', () => {
  it('absent passes; null is validated like any value', () => {
    expect(messages({})).toEqual([]);
    expect(messages({ amount: null })).toEqual(['amount must be an integer number']);
    expect(messages({ inner: null })).toContain('inner must be an object');
  });

  it('nested messages carry the full path once, in the order the rules are written', () => {
    expect(messages({ inner: { phone: null } })).toEqual([
      'inner.phone must be a string',
      'inner.phone must be shorter than or equal to 3 characters',
    ]);
  });
});
