import { randomUUID } from 'node:crypto';
import { createCentre, createCentreWithSchedules } from '../../factories/catalog';
import { createShareOk } from '../../factories/sharing';
import { createStaff, createTenant, type TestTenant } from '../../factories/tenants';
import { gqlOk } from '../../helpers/graphql-client';
import type { TestServer } from '../../helpers/test-server';
import { linkOk } from '../federation';
import { bookOk, CREATE_PATIENT, localAt } from '../scheduling';
import { emptyIdPool, type IdPool } from './id-kinds';
import { STAFF_ROLES, type Credentials, type PrincipalName, type StaffRoleName } from './principals';

/**
 * Everything the fuzzer aims at, built through the public API: a tenant with staff of every role,
 * a centre with schedules, services, practitioners, an exception, a patient and appointments, a
 * share whose link token is the PEER_SERVER principal, a link to another tenant's share, and that
 * other ("foreign") tenant with the same kinds of rows, whose ids must never work from here.
 *
 * The real ids handed to the fuzzer deliberately exclude what the principals stand on: the users,
 * tokens and share behind the credentials are never in the pools, so a successful
 * `changeUserAccess`, `revokeApiToken` or `revokeScheduleShare` hits a sacrificial user, token or
 * share and the principals keep working for the whole run.
 */
export interface FuzzWorld {
  serverUrl: string;
  credentials: Credentials;
  /** Ids of the principals' tenant the fuzzer may use, and change, freely. */
  realIds: IdPool;
  /** Ids of the other tenant: never found, never changed from here. */
  foreignIds: IdPool;
  /** What a client centre enters to link to the foreign tenant's share (valid link input). */
  linkableShare: { serverUrl: string; centreId: string; token: string };
  tenantIds: readonly string[];
  /** The ADMIN principal's token, for the test's own calls (introspection, probes). */
  adminToken: string;
}

async function tokenIdsOf(app: TestServer, tenant: TestTenant, userId: string): Promise<string[]> {
  const data = await gqlOk<{ apiTokens: { nodes: Array<{ id: string }> } }>(
    app, 'query($u: ID) { apiTokens(userId: $u, first: 100) { nodes { id } } }', { u: userId }, tenant.adminToken,
  );
  return data.apiTokens.nodes.map((token) => token.id);
}

async function revokeToken(app: TestServer, tenant: TestTenant, tokenId: string): Promise<void> {
  await gqlOk(app, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { id } }', { input: { id: tokenId } }, tenant.adminToken);
}

async function createPatientOk(app: TestServer, tenant: TestTenant): Promise<string> {
  const data = await gqlOk<{ createPatient: { id: string } }>(
    app, CREATE_PATIENT, { input: { familyName: 'Berg', givenName: `Fuzz ${randomUUID().slice(0, 6)}`, personalIdentityNumber: randomUUID().replace(/\D/g, '').slice(0, 12) } }, tenant.adminToken,
  );
  return data.createPatient.id;
}

async function addExceptionOk(app: TestServer, tenant: TestTenant, scheduleId: string): Promise<string> {
  const data = await gqlOk<{ addScheduleException: { id: string } }>(
    app, 'mutation($input: AddScheduleExceptionInput!) { addScheduleException(input: $input) { id } }',
    { input: { scheduleId, kind: 'CLOSED', startsLocal: '2099-01-01T08:00', endsLocal: '2099-01-01T12:00', reason: 'fuzz' } }, tenant.adminToken,
  );
  return data.addScheduleException.id;
}

/** The same kinds of rows in either tenant, plus a sacrificial user (with a token) and share for the fuzzer to change. */
async function populateTenant(app: TestServer, tenant: TestTenant) {
  const centre = await createCentreWithSchedules(app, tenant, { schedules: 2, services: [{ durationMinutes: 30 }, { durationMinutes: 60 }], qualifications: ['GP'] });
  const clientCentreId = await createCentre(app, tenant);
  const patientId = await createPatientOk(app, tenant);
  const appointmentIds: string[] = [];
  for (const [day, scheduleIndex] of [[2, 0], [3, 1], [4, 0]] as const) {
    const appointment = await bookOk(app, tenant.adminToken, {
      scheduleId: centre.scheduleIds[scheduleIndex], serviceId: centre.serviceIds[0], start: localAt(day, 10), patientId,
    });
    appointmentIds.push(appointment.id);
  }
  const exceptionId = await addExceptionOk(app, tenant, centre.scheduleIds[1]);
  const sacrificial = await createStaff(app, tenant, ['SCHEDULER']);
  const sacrificialShare = await createShareOk(app, tenant, { centreId: centre.centreId, scheduleIds: [centre.scheduleIds[1]] });
  return { centre, clientCentreId, patientId, appointmentIds, exceptionId, sacrificial, sacrificialShare };
}

function wrongSecret(token: string): string {
  return `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
}

export async function buildFuzzWorld(app: TestServer): Promise<FuzzWorld> {
  const tenant = await createTenant(app);
  const foreign = await createTenant(app);

  const staffTokens = {} as Record<StaffRoleName, string>;
  for (const role of STAFF_ROLES) staffTokens[role] = (await createStaff(app, tenant, [role])).token;

  const own = await populateTenant(app, tenant);
  const other = await populateTenant(app, foreign);

  // The peer principal: another server calling with the link token of a share of our centre.
  const peerShare = await createShareOk(app, tenant, { centreId: own.centre.centreId, scheduleIds: [own.centre.scheduleIds[0]] });
  // Our client centre linked to the foreign tenant's share (same server: served in-process).
  const foreignShare = await createShareOk(app, foreign, { centreId: other.centre.centreId, scheduleIds: [other.centre.scheduleIds[0]] });
  const linkId = await linkOk(app, tenant.adminToken, {
    centreId: own.clientCentreId, url: foreignShare.serverUrl, remoteCentreId: foreignShare.centreId, token: foreignShare.token, label: 'fuzz link',
  });

  // A token that was valid once: one of the kinds of INVALID_TOKEN.
  const revoked = await createStaff(app, tenant, ['VIEWER']);
  const [revokedTokenId] = await tokenIdsOf(app, tenant, revoked.userId);
  await revokeToken(app, tenant, revokedTokenId);

  const hex = (id: string) => id.replace(/-/g, '');
  const credentials: Record<PrincipalName, string[]> = {
    ADMIN: [`Bearer ${staffTokens.ADMIN}`],
    CLINIC_HEAD: [`Bearer ${staffTokens.CLINIC_HEAD}`],
    SCHEDULER: [`Bearer ${staffTokens.SCHEDULER}`],
    VIEWER: [`Bearer ${staffTokens.VIEWER}`],
    PEER_SERVER: [`Bearer ${peerShare.token}`],
    ANONYMOUS: [],
    INVALID_TOKEN: [
      'Bearer garbage',
      `Bearer cst_${hex(tenant.tenantId)}${hex(randomUUID())}_${'A'.repeat(43)}`,
      `Bearer ${wrongSecret(staffTokens.ADMIN)}`,
      `Bearer ${wrongSecret(peerShare.token)}`,
      `Bearer ${revoked.token}`,
      `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      `Bearer ${staffTokens.ADMIN} ${staffTokens.VIEWER}`,
      `Bearer ${'x'.repeat(4000)}`,
    ],
  };

  const realIds = emptyIdPool();
  realIds.centre.push(own.centre.centreId, own.clientCentreId);
  realIds.schedule.push(...own.centre.scheduleIds);
  realIds.service.push(...own.centre.serviceIds);
  realIds.practitioner.push(...own.centre.practitionerIds);
  realIds.patient.push(own.patientId);
  realIds.appointment.push(...own.appointmentIds);
  realIds.user.push(own.sacrificial.userId);
  realIds.apiToken.push(...(await tokenIdsOf(app, tenant, own.sacrificial.userId)), revokedTokenId);
  realIds.scheduleShare.push(own.sacrificialShare.share.id);
  realIds.shareLink.push(linkId);
  realIds.scheduleException.push(own.exceptionId);

  const foreignIds = emptyIdPool();
  foreignIds.centre.push(other.centre.centreId, other.clientCentreId);
  foreignIds.schedule.push(...other.centre.scheduleIds);
  foreignIds.service.push(...other.centre.serviceIds);
  foreignIds.practitioner.push(...other.centre.practitionerIds);
  foreignIds.patient.push(other.patientId);
  foreignIds.appointment.push(...other.appointmentIds);
  foreignIds.user.push(other.sacrificial.userId, foreign.adminUserId);
  foreignIds.apiToken.push(...(await tokenIdsOf(app, foreign, other.sacrificial.userId)));
  foreignIds.scheduleShare.push(other.sacrificialShare.share.id, foreignShare.share.id);
  foreignIds.scheduleException.push(other.exceptionId);

  return {
    serverUrl: app.url,
    credentials,
    realIds,
    foreignIds,
    linkableShare: { serverUrl: foreignShare.serverUrl, centreId: foreignShare.centreId, token: foreignShare.token },
    tenantIds: [tenant.tenantId, foreign.tenantId],
    adminToken: staffTokens.ADMIN,
  };
}
