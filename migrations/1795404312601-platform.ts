import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, staff users, bearer tokens and the audit trail; the app role and tenant isolation. */
export class Platform1795404312601 implements MigrationInterface {
  name = 'Platform1795404312601';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The role is cluster-wide and shared by every careslot database on the server, so it is created once and never dropped here.
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
      END $$`);
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);

    await queryRunner.query(`
      CREATE TABLE "tenants" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "users" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "email" text NOT NULL,
        "display_name" text NOT NULL,
        "roles" text array NOT NULL DEFAULT '{}',
        "permissions" text array NOT NULL DEFAULT '{}',
        "active" boolean NOT NULL DEFAULT true,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "users_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "users_tenant_email_key" UNIQUE ("tenant_id", "email"),
        CONSTRAINT "users_tenant_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE "api_tokens" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL,
        "principal_kind" text NOT NULL,
        "user_id" uuid,
        "label" text NOT NULL,
        "secret_hash" bytea NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE,
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "last_used_at" TIMESTAMP WITH TIME ZONE,
        "created_by" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "api_tokens_user_fkey" FOREIGN KEY ("tenant_id", "user_id") REFERENCES "users"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "actor_kind" text NOT NULL,
        "actor_id" text,
        "action" text NOT NULL,
        "entity_type" text NOT NULL,
        "entity_id" text,
        "request_id" text,
        "details" jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT "audit_events_pkey" PRIMARY KEY ("tenant_id", "id")
      )`);
    await queryRunner.query(`CREATE INDEX "audit_events_tenant_occurred_idx" ON "audit_events" ("tenant_id", "occurred_at")`);

    await protectTenantTable(queryRunner, 'tenants', 'id');
    for (const table of ['users', 'api_tokens', 'audit_events']) await protectTenantTable(queryRunner, table);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_events', 'api_tokens', 'users', 'tenants']) await unprotectTenantTable(queryRunner, table);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TABLE "tenants"`);
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM ${APP_ROLE}`);
  }
}

// This migration's own copy of the tenant-isolation SQL: frozen with it, never shared (migrations/index.ts).

/** The role the application connects as: no ownership, no BYPASSRLS, so row-level security always applies. */
const APP_ROLE = 'careslot_app';

/** The tenant of the current transaction, or NULL (which matches no row) when none was set. */
const CURRENT_TENANT_SQL = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;

/**
 * Tenant isolation for one table: RLS enabled and forced (the owner is bound too),
 * one policy for every command, and the app role's grants.
 */
async function protectTenantTable(queryRunner: QueryRunner, table: string, tenantColumn = 'tenant_id'): Promise<void> {
  await queryRunner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(
    `CREATE POLICY tenant_isolation ON "${table}" USING ("${tenantColumn}" = ${CURRENT_TENANT_SQL}) WITH CHECK ("${tenantColumn}" = ${CURRENT_TENANT_SQL})`,
  );
  await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO ${APP_ROLE}`);
}

async function unprotectTenantTable(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`REVOKE ALL ON "${table}" FROM ${APP_ROLE}`);
  await queryRunner.query(`DROP POLICY IF EXISTS tenant_isolation ON "${table}"`);
  await queryRunner.query(`ALTER TABLE "${table}" NO FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE "${table}" DISABLE ROW LEVEL SECURITY`);
}
