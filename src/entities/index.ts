import { ApiToken } from './api-token.entity';
import { AuditEvent } from './audit-event.entity';
import { Tenant } from './tenant.entity';
import { User } from './user.entity';

export { ApiToken, AuditEvent, Tenant, User };
export * from './user.entity';
export * from './api-token.entity';

export const ENTITIES = [Tenant, User, ApiToken, AuditEvent];
