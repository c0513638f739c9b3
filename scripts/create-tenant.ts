import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { createLogger } from '../src/platform/logger';
import { loadSecretKey } from '../src/platform/secret-key';
import { provisionTenant } from '../src/services/identity/tenant-provisioning';

/**
 * Operators create tenants here (careslot has no HTTP sign-up):
 *   npm run tenant:create -- --name "Clinic AB" --admin-email head@clinic.example --admin-name "Ann Berg"
 * Prints the tenant id and the first admin's bearer token (shown once).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { name: { type: 'string' }, 'admin-email': { type: 'string' }, 'admin-name': { type: 'string' } },
  });
  if (!values.name || !values['admin-email']) {
    throw new Error('usage: npm run tenant:create -- --name "<tenant name>" --admin-email <email> [--admin-name "<name>"]');
  }
  const config = loadConfig(process.env, { DEMO_DATA: false });
  const logger = createLogger({ LOG_LEVEL: 'warn' });
  const database = await openDatabase(config, loadSecretKey(config), logger);
  try {
    const tenant = await provisionTenant(database.tenants, {
      name: values.name, adminEmail: values['admin-email'], adminName: values['admin-name'] ?? values['admin-email'],
    });
    process.stdout.write(`tenant ${tenant.tenantId}\nadmin user ${tenant.adminUserId}\nadmin token (shown once): ${tenant.adminToken}\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
