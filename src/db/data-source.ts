import { DataSource, type Logger, type QueryRunner } from 'typeorm';
import { ENTITIES } from '../entities';
import { MIGRATIONS } from '../../migrations';
import { SnakeNamingStrategy } from './naming-strategy';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  onPoolError: (error: Error) => void;
}

/** Counts the statements each unit of work sends, so tests and benchmarks can hold the line on N+1. */
export interface StatementObserver {
  onStatement(sql: string): void;
  /** Each transaction a unit of work opens (its own round trips: scope and commit at least). */
  onTransaction?(): void;
}

class ObservingLogger implements Logger {
  logQuery(query: string, _parameters?: unknown[], queryRunner?: QueryRunner): void {
    (queryRunner?.data as { observer?: StatementObserver } | undefined)?.observer?.onStatement(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    logging: ['query'],
    logger: new ObservingLogger(),
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'careslot',
    poolErrorHandler: options.onPoolError,
  });
}
