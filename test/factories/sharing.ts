import { randomUUID } from 'node:crypto';
import { gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import type { Connection } from '../helpers/pages';
import type { TestServer } from '../helpers/test-server';
import type { TestTenant } from './tenants';

/**
 * Schedule sharing through the public API: shares created by the sharing tenant's ADMIN, and
 * peer calls made the way another careslot server makes them — over HTTP (and graphql-ws) with
 * the raw shared link token as the bearer.
 */

export interface WeeklyWindowSpec {
  weekday: number;
  startTime: string;
  endTime: string;
}

export interface RestrictionsSpec {
  allowedServiceIds?: string[];
  earliestDaysAhead?: number;
  latestDaysAhead?: number;
  weeklyWindows?: WeeklyWindowSpec[];
  dailyQuota?: number | null;
}

export interface ShareSpec {
  centreId: string;
  scheduleIds: string[];
  label?: string;
  restrictions?: RestrictionsSpec;
}

export interface CreatedShareData {
  share: ScheduleShareData;
  token: string;
  serverUrl: string;
  centreId: string;
}

export interface ScheduleShareData {
  id: string;
  centreId: string;
  label: string;
  scheduleIds: string[];
  restrictions: Required<RestrictionsSpec>;
  displayPrefix: string;
  serverUrl: string;
  active: boolean;
  revokedAt: string | null;
  tokenRotatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export const SHARE_FIELDS = `id centreId label scheduleIds displayPrefix serverUrl active revokedAt tokenRotatedAt createdAt updatedAt
  restrictions { allowedServiceIds earliestDaysAhead latestDaysAhead weeklyWindows { weekday startTime endTime } dailyQuota }`;

export const CREATE_SHARE = `mutation CreateShare($input: CreateScheduleShareInput!) {
  createScheduleShare(input: $input) { token serverUrl centreId share { ${SHARE_FIELDS} } }
}`;
export const UPDATE_SHARE = `mutation UpdateShare($input: UpdateScheduleShareInput!) { updateScheduleShare(input: $input) { ${SHARE_FIELDS} } }`;
export const ROTATE_SHARE = `mutation RotateShare($input: RotateScheduleShareTokenInput!) {
  rotateScheduleShareToken(input: $input) { token serverUrl centreId share { ${SHARE_FIELDS} } }
}`;
export const REVOKE_SHARE = `mutation RevokeShare($input: RevokeScheduleShareInput!) { revokeScheduleShare(input: $input) { ${SHARE_FIELDS} } }`;
export const LIST_SHARES = `query Shares($centreId: ID, $first: Int!, $after: String) {
  scheduleShares(centreId: $centreId, first: $first, after: $after) { nodes { ${SHARE_FIELDS} } pageInfo { hasNextPage endCursor } }
}`;

export const createShare = (app: TestServer, token: string, input: Record<string, unknown>) =>
  gql<{ createScheduleShare: CreatedShareData }>(app, CREATE_SHARE, { input }, token);
export const updateShare = (app: TestServer, token: string, input: Record<string, unknown>) =>
  gql<{ updateScheduleShare: ScheduleShareData }>(app, UPDATE_SHARE, { input }, token);
export const rotateShare = (app: TestServer, token: string, id: string) =>
  gql<{ rotateScheduleShareToken: CreatedShareData }>(app, ROTATE_SHARE, { input: { id } }, token);
export const revokeShare = (app: TestServer, token: string, id: string) =>
  gql<{ revokeScheduleShare: ScheduleShareData }>(app, REVOKE_SHARE, { input: { id } }, token);
/** One page of scheduleShares (newest first). */
export const listShares = (app: TestServer, token: string, centreId?: string, page: { first?: number; after?: string | null } = {}) =>
  gql<{ scheduleShares: Connection<ScheduleShareData> }>(app, LIST_SHARES, { centreId, first: page.first ?? 20, after: page.after }, token);

/** A share made by the tenant's ADMIN; answers what the client centre would be handed. */
export async function createShareOk(app: TestServer, tenant: TestTenant, spec: ShareSpec): Promise<CreatedShareData> {
  const data = await gqlOk<{ createScheduleShare: CreatedShareData }>(
    app, CREATE_SHARE, { input: { label: `Client ${randomUUID().slice(0, 8)}`, ...spec } }, tenant.adminToken,
  );
  return data.createScheduleShare;
}

// ---------------------------------------------------------------------------------------------
// The peer API, as the lead's HTTP PeerClient calls it

export const PEER_SHARE = `query { peerShare { shareId centreId centreName timeZone
  schedules { id name slotMinutes services { id code name durationMinutes } }
  restrictions { allowedServiceIds earliestDaysAhead latestDaysAhead weeklyWindows { weekday startTime endTime } dailyQuota } } }`;

export const PEER_AVAILABILITY = `query PeerAvailability($from: Instant!, $to: Instant!, $serviceId: ID, $slots: Boolean) {
  peerAvailability(from: $from, to: $to, serviceId: $serviceId, slots: $slots) {
    scheduleId free { start end } occupied { start end } slots { start end state }
  }
}`;

export const PEER_BOOK = `mutation PeerBook($input: PeerBookInput!) {
  peerBook(input: $input) {
    __typename
    ... on PeerBooking { appointmentId start end }
    ... on ShareRefused { reason message }
    ... on SlotUnavailable { message } ... on OutsideOpeningHours { message } ... on OffSlotGrid { message }
    ... on InThePast { message } ... on ServiceNotOffered { message } ... on PatientNotFound { message }
  }
}`;

export const PEER_CANCEL = `mutation PeerCancel($input: PeerCancelInput!) { peerCancel(input: $input) { status appointmentId } }`;

export const PEER_OCCUPANCY = `subscription { peerOccupancyChanged { scheduleId kind clientReference } }`;

export interface PeerInterval {
  start: string;
  end: string;
}

export interface PeerAvailabilityData {
  scheduleId: string;
  free: PeerInterval[];
  occupied: PeerInterval[];
  slots: Array<PeerInterval & { state: 'FREE' | 'OCCUPIED' }> | null;
}

export interface PeerBookData {
  __typename: string;
  appointmentId?: string;
  start?: string;
  end?: string;
  reason?: string;
  message?: string;
}

export const peerShare = (app: TestServer, linkToken: string) => gql<{ peerShare: any }>(app, PEER_SHARE, {}, linkToken);

export const peerAvailability = (app: TestServer, linkToken: string, args: { from: string; to: string; serviceId?: string; slots?: boolean }) =>
  gql<{ peerAvailability: PeerAvailabilityData[] }>(app, PEER_AVAILABILITY, args, linkToken);

export async function peerAvailabilityOk(app: TestServer, linkToken: string, args: { from: string; to: string; serviceId?: string; slots?: boolean }): Promise<PeerAvailabilityData[]> {
  return (await gqlOk<{ peerAvailability: PeerAvailabilityData[] }>(app, PEER_AVAILABILITY, args, linkToken)).peerAvailability;
}

export interface PeerBookSpec {
  scheduleId: string;
  serviceId: string;
  start: string;
  idempotencyKey?: string;
  clientReference?: string;
  clientCentreName?: string;
  patient?: Record<string, unknown>;
}

/** The booking input a client server would send; fresh key and reference unless given. */
export function peerBookInput(spec: PeerBookSpec): Record<string, unknown> {
  return {
    idempotencyKey: `peer-${randomUUID()}`, clientReference: randomUUID(), clientCentreName: 'Client Centre North',
    patient: { familyName: 'Berg', givenName: 'Anna' }, ...spec,
  };
}

export const peerBook = (app: TestServer, linkToken: string, input: Record<string, unknown>): Promise<GraphQLResponse<{ peerBook: PeerBookData }>> =>
  gql<{ peerBook: PeerBookData }>(app, PEER_BOOK, { input }, linkToken);

export const peerCancel = (app: TestServer, linkToken: string, input: Record<string, unknown>) =>
  gql<{ peerCancel: { status: string; appointmentId: string | null } }>(app, PEER_CANCEL, { input }, linkToken);

/** Total milliseconds covered by intervals. */
export const coveredMs = (intervals: readonly PeerInterval[]): number =>
  intervals.reduce((sum, interval) => sum + Date.parse(interval.end) - Date.parse(interval.start), 0);
