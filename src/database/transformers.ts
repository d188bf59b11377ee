import { ValueTransformer } from 'typeorm';

/** pg returns bigint as string; amounts in minor units stay far below 2^53. */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
