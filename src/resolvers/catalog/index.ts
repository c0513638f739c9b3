import { CatalogResolver } from './catalog.resolver';
import { CentreFieldsResolver } from './centre-fields.resolver';
import { ScheduleFieldsResolver } from './schedule-fields.resolver';

/** Every catalog resolver class, for src/resolvers/index.ts to register. */
export const CATALOG_RESOLVERS = [CatalogResolver, CentreFieldsResolver, ScheduleFieldsResolver] as const;
