import { randomUUID } from 'node:crypto';
import type { StaffRole } from '../../src/entities';
import { provisionTenant } from '../../src/services/identity/tenant-provisioning';
import { gqlOk } from '../helpers/graphql-client';
import type { TestServer } from '../helpers/test-server';

export interface TestTenant {
  tenantId: string;
  adminUserId: string;
  adminToken: string;
}

/** A fresh tenant with its first ADMIN, the way an operator creates one. */
export async function createTenant(target: TestServer, name = `Tenant ${randomUUID().slice(0, 8)}`): Promise<TestTenant> {
  return provisionTenant(target.server.database.tenants, { name, adminEmail: `admin-${randomUUID().slice(0, 8)}@test.example`, adminName: 'Test Admin' });
}

/** A staff user with the given roles and a token, created through the public API by the tenant's admin. */
export async function createStaff(target: TestServer, tenant: TestTenant, roles: StaffRole[], permissions: string[] = []): Promise<{ userId: string; token: string }> {
  const created = await gqlOk<{ createUser: { id: string } }>(
    target,
    `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
    { input: { email: `staff-${randomUUID().slice(0, 8)}@test.example`, displayName: 'Staff', roles, permissions } },
    tenant.adminToken,
  );
  const token = await gqlOk<{ createApiToken: { token: string } }>(
    target,
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
    { input: { userId: created.createUser.id, label: 'test' } },
    tenant.adminToken,
  );
  return { userId: created.createUser.id, token: token.createApiToken.token };
}
