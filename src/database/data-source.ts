import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize, application_name: 'vpos-hub' },
  };
}

/** For the TypeORM CLI (`npm run migration:run`): only DATABASE_URL is needed here. */
export default new DataSource(
  dataSourceOptions(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/vpos_hub'),
);
