import type { QueryRunner } from 'typeorm';

/** The role the application connects as: no ownership, no BYPASSRLS, so row-level security always applies. */
export const APP_ROLE = 'careslot_app';

/** The tenant of the current transaction, or NULL (which matches no row) when none was set. */
export const CURRENT_TENANT_SQL = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;

/**
 * Tenant isolation for one table: RLS enabled and forced (the owner is bound too),
 * one policy for every command, and the app role's grants.
 */
export async function protectTenantTable(queryRunner: QueryRunner, table: string, tenantColumn = 'tenant_id'): Promise<void> {
  await queryRunner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(
    `CREATE POLICY tenant_isolation ON "${table}" USING ("${tenantColumn}" = ${CURRENT_TENANT_SQL}) WITH CHECK ("${tenantColumn}" = ${CURRENT_TENANT_SQL})`,
  );
  await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO ${APP_ROLE}`);
}

export async function unprotectTenantTable(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`REVOKE ALL ON "${table}" FROM ${APP_ROLE}`);
  await queryRunner.query(`DROP POLICY IF EXISTS tenant_isolation ON "${table}"`);
  await queryRunner.query(`ALTER TABLE "${table}" NO FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE "${table}" DISABLE ROW LEVEL SECURITY`);
}
