import { randomUUID } from 'node:crypto';
import { createCentreWithSchedules, type CentreWithSchedules } from '../factories/catalog';
import { createTenant, type TestTenant } from '../factories/tenants';
import { gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import type { TestServer } from '../helpers/test-server';
import { startEngagementIndexEndpoint, type EngagementIndexEndpoint } from './engagement-index-endpoint';
import { bookOk, createPatient, key, type AppointmentData } from './scheduling';
import { createCertificateAuthority, type CertificateAuthority, type Pem } from './tls-certificates';

/** Seed 003 from outside: a tenant whose centres carry HSA-ids, an index stand-in with mutual TLS, and the admin's configuration. */
export const SOURCE_SYSTEM = 'SE2321000016-SRC1';
export const DATA_CONTROLLER = '2321000016';

export const CONFIGURATION_FIELDS = `enabled centreIds sourceSystemHsaId dataController endpointUrl endpointHsaId clientCertificate { subject validTo }
  clientKeySet trustedCaSet contractVersion serviceDomain missingFields updatedAt`;
export const CONFIGURE = `mutation($input: ConfigureEngagementIndexInput!) { configureEngagementIndex(input: $input) { ${CONFIGURATION_FIELDS} } }`;
export const CONFIGURATION = `query { engagementIndexConfiguration { ${CONFIGURATION_FIELDS} } }`;
export const STATUS = `query { engagementIndexStatus { enabled missingFields
  pending { appointments since failedAttempts retryAt lastError lastErrorAt }
  delivered { posts requests transactions lastDeliveredAt }
  failed { count items { appointmentId reason failedAt } }
  skipped { withoutPersonalNumber anonymous } } }`;
export const RETRY = `mutation($input: RetryEngagementIndexInput!) { retryEngagementIndexFailures(input: $input) }`;
export const RESEND = `mutation($input: ResendEngagementIndexInput!) { resendEngagementIndex(input: $input) }`;

export interface StatusData {
  enabled: boolean;
  missingFields: string[];
  pending: { appointments: number; since: string | null; failedAttempts: number; retryAt: string | null; lastError: string | null };
  delivered: { posts: number; requests: number; transactions: number };
  failed: { count: number; items: Array<{ appointmentId: string; reason: string }> };
  skipped: { withoutPersonalNumber: number; anonymous: number };
}

export interface EiWorld {
  app: TestServer;
  tenant: TestTenant;
  ca: CertificateAuthority;
  client: Pem;
  endpoint: EngagementIndexEndpoint;
  centres: CentreWithSchedules[];
  hsaIds: string[];
}

let hsaSerial = 0;
export const newHsaId = (): string => `SE2321000016-C${Date.now().toString(36).toUpperCase()}${(++hsaSerial).toString(36).toUpperCase()}`;

let residentSerial = 0;
/** A fresh Swedish personal number (12 digits), unique in this process. */
export const newPersonalNumber = (): string => `19${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}${String(++residentSerial % 10_000).padStart(4, '0')}`;

export async function buildEiWorld(app: TestServer, options: { centres?: number; ca?: CertificateAuthority; endpoint?: EngagementIndexEndpoint } = {}): Promise<EiWorld> {
  const ca = options.ca ?? createCertificateAuthority();
  const endpoint = options.endpoint ?? await startEngagementIndexEndpoint(ca);
  const tenant = await createTenant(app);
  const centres: CentreWithSchedules[] = [];
  const hsaIds: string[] = [];
  for (let i = 0; i < (options.centres ?? 1); i++) {
    const hsaId = newHsaId();
    centres.push(await createCentreWithSchedules(app, tenant, { hsaId, schedules: 2, services: [{ durationMinutes: 30 }] }));
    hsaIds.push(hsaId);
  }
  return { app, tenant, ca, client: ca.issue(`careslot ${randomUUID().slice(0, 6)}`, 'client'), endpoint, centres, hsaIds };
}

/** The complete configuration for the world's endpoint (override or drop fields as a test needs). */
export function fullConfiguration(world: EiWorld, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true, centreIds: world.centres.map((centre) => centre.centreId), sourceSystemHsaId: SOURCE_SYSTEM, dataController: DATA_CONTROLLER,
    endpointUrl: world.endpoint.url, endpointHsaId: world.endpoint.hsaId, clientCertificatePem: world.client.cert, clientKeyPem: world.client.key,
    trustedCaPem: world.ca.cert, ...overrides,
  };
}

export const configure = (world: EiWorld, input: Record<string, unknown>, token = world.tenant.adminToken): Promise<GraphQLResponse> =>
  gql(world.app, CONFIGURE, { input }, token);

export async function configureOk(world: EiWorld, input: Record<string, unknown> = fullConfiguration(world)): Promise<Record<string, unknown>> {
  return (await gqlOk<{ configureEngagementIndex: Record<string, unknown> }>(world.app, CONFIGURE, { input }, world.tenant.adminToken)).configureEngagementIndex;
}

export const status = async (world: EiWorld): Promise<StatusData> =>
  (await gqlOk<{ engagementIndexStatus: StatusData }>(world.app, STATUS, {}, world.tenant.adminToken)).engagementIndexStatus;

export const patient = async (world: EiWorld, personalIdentityNumber: string | null = newPersonalNumber()): Promise<string> => {
  const response = await createPatient(world.app, world.tenant.adminToken, {
    familyName: 'Andersson', givenName: 'Eva', ...(personalIdentityNumber === null ? {} : { personalIdentityNumber }),
  });
  return response.data!.createPatient.id;
};

export const bookAt = (world: EiWorld, spec: { centre?: number; schedule?: number; start: string; patientId: string; anonymous?: boolean; scheduleId?: string; serviceId?: string }): Promise<AppointmentData> => {
  const centre = world.centres[spec.centre ?? 0];
  return bookOk(world.app, world.tenant.adminToken, {
    scheduleId: spec.scheduleId ?? centre.scheduleIds[spec.schedule ?? 0], serviceId: spec.serviceId ?? centre.serviceIds[0], start: spec.start, patientId: spec.patientId,
    anonymous: spec.anonymous ?? false, idempotencyKey: key(),
  });
};

/** Wakes the dispatcher and waits until the outbox is empty and nothing waits for a retry (a hang deadline only). */
export async function delivered(world: EiWorld, deadlineMs = 20_000): Promise<StatusData> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    await world.app.server.engagementIndexDispatcher.dispatch();
    const current = await status(world);
    if (current.pending.appointments === 0) return current;
    if (Date.now() > deadline) throw new Error(`engagement index still pending: ${JSON.stringify(current.pending)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The posts the endpoint holds for this world's tenant, as `appointmentId@logicalAddress:resident` (sorted). */
export function indexOf(world: EiWorld): string[] {
  const ours = new Set(world.hsaIds);
  return [...world.endpoint.index.values()]
    .filter((engagement) => ours.has(engagement.logicalAddress) && engagement.sourceSystem === SOURCE_SYSTEM)
    .map((engagement) => `${engagement.businessObjectInstanceIdentifier}@${engagement.logicalAddress}:${engagement.registeredResidentIdentification}`)
    .sort();
}

/** The transactions the endpoint accepted for these appointments, in order. */
export function transactionsFor(world: EiWorld, appointmentIds: string[]): Array<{ deleteFlag: boolean; engagement: Record<string, string> }> {
  const ids = new Set(appointmentIds);
  return world.endpoint.received.filter((update) => update.answer === 'OK')
    .flatMap((update) => update.transactions.filter((t) => ids.has(t.engagement.businessObjectInstanceIdentifier)));
}
