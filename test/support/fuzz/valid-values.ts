import fc from 'fast-check';
import { GraphQLEnumType, GraphQLScalarType, type GraphQLLeafType } from 'graphql';
import { localAt } from '../scheduling';
import { EnumLiteral, leaf, type FuzzValue, type JsonScalar } from './fuzz-value';
import type { FuzzWorld } from './fuzz-world';
import { allIds, idKindOf } from './id-kinds';

/**
 * Values a correct client would send, so that "valid" operations get past input validation and
 * reach the rules (and sometimes succeed). The schema says only "String" or "Int"; what a valid
 * one looks like comes from the argument's name (`timeZone`, `startTime`, `durationMinutes`) and
 * from the world (real ids, the linkable share). A name we know nothing about gets a short text.
 */

/** Where a value goes: the input type (or root field) that holds it, and its field (or argument) name. */
export interface ValueSite {
  owner: string;
  field: string;
}

const shortId = fc.uuid().map((uuid) => uuid.slice(0, 8));
const text = shortId.map((id) => `Fuzz ${id}`);
const days = (from: number, to: number) => fc.integer({ min: from, max: to });
const localDateTime = (daysAhead: number, time: string) => `${new Date(Date.now() + daysAhead * 86_400_000).toISOString().slice(0, 10)}T${time}`;

/** The booking grid of the world's schedules: 15-minute slots, open 08:00–17:00 every day. */
const slotStart = fc.tuple(days(1, 20), fc.integer({ min: 8, max: 15 }), fc.constantFrom(0, 15, 30, 45)).map(([day, hour, minute]) => localAt(day, hour, minute));

function stringHints(world: FuzzWorld): Record<string, fc.Arbitrary<JsonScalar>> {
  return {
    email: shortId.map((id) => `fuzz-${id}@test.example`),
    timeZone: fc.constantFrom('Europe/Stockholm', 'UTC', 'America/New_York', 'Asia/Kolkata'),
    hsaId: shortId.map((id) => `SE2321000016-${id}`),
    postalCode: fc.constant('111 22'),
    country: fc.constantFrom('SE', 'NO', 'FI'),
    code: shortId.map((id) => `FZ-${id}`),
    startTime: fc.constantFrom('08:00', '09:30', '13:00'),
    endTime: fc.constantFrom('12:00', '17:00', '24:00'),
    validFrom: fc.constantFrom('2000-01-01', new Date().toISOString().slice(0, 10)),
    validUntil: fc.constantFrom('2099-12-31', null),
    startsLocal: days(30, 60).map((day) => localDateTime(day, '10:00')),
    endsLocal: days(30, 60).map((day) => localDateTime(day, '12:00')),
    idempotencyKey: fc.uuid().map((uuid) => `k-${uuid}`),
    clientReference: fc.uuid(),
    reasonCode: fc.constantFrom('PATIENT_REQUEST', 'CLINIC_UNAVAILABLE'),
    url: fc.constant(world.linkableShare.serverUrl),
    token: fc.constant(world.linkableShare.token),
    search: fc.constantFrom('Berg', 'Fuzz', 'Lund Ing'),
    qualification: fc.constant('GP'),
    qualifications: fc.constantFrom('GP', 'RADIOLOGY'),
    requiredQualification: fc.constantFrom('GP', null),
    phone: fc.constant('+46 70 123 45 67'),
    personalIdentityNumber: fc.integer({ min: 1e11, max: 2e11 - 1 }).map(String),
    // Cursors come from earlier pages; a valid first request has none.
    after: fc.constant(null),
  };
}

const INT_HINTS: Record<string, fc.Arbitrary<number>> = {
  first: fc.integer({ min: 1, max: 100 }),
  weekday: fc.integer({ min: 1, max: 7 }),
  durationMinutes: fc.constantFrom(15, 30, 60),
  slotMinutes: fc.constantFrom(15, 30),
  earliestDaysAhead: fc.integer({ min: 0, max: 3 }),
  latestDaysAhead: fc.integer({ min: 30, max: 90 }),
  dailyQuota: fc.integer({ min: 1, max: 5 }),
};

function instantHint(field: string): fc.Arbitrary<string> {
  if (field === 'from') return days(0, 3).map((day) => localAt(day, 0));
  if (field === 'to') return days(4, 9).map((day) => localAt(day, 0));
  if (field === 'expiresAt') return days(1, 365).map((day) => new Date(Date.now() + day * 86_400_000).toISOString());
  return slotStart;
}

function validId(world: FuzzWorld, site: ValueSite): fc.Arbitrary<string> {
  // A link names the other side's centre: the only valid remote centre is the linkable share's.
  if (site.field === 'remoteCentreId') return fc.constant(world.linkableShare.centreId);
  const kind = idKindOf(site.owner, site.field);
  const ofKind = kind ? world.realIds[kind] : [];
  return fc.constantFrom(...(ofKind.length > 0 ? ofKind : allIds(world.realIds)));
}

export function validLeafArbitrary(type: GraphQLLeafType, site: ValueSite, world: FuzzWorld): fc.Arbitrary<FuzzValue> {
  if (type instanceof GraphQLEnumType) return fc.constantFrom(...type.getValues().map((value) => value.name)).map((name) => leaf(new EnumLiteral(name)));
  const scalar = type as GraphQLScalarType;
  switch (scalar.name) {
    case 'ID':
      return validId(world, site).map((id) => leaf(id));
    case 'Int':
      return (INT_HINTS[site.field] ?? fc.integer({ min: 1, max: 10 })).map((value) => leaf(value));
    case 'Float':
      return fc.double({ min: 0, max: 1000, noNaN: true }).map((value) => leaf(value));
    case 'Boolean':
      return fc.boolean().map((value) => leaf(value));
    case 'Instant':
    case 'DateTimeISO':
      return instantHint(site.field).map((value) => leaf(value));
    default:
      return (stringHints(world)[site.field] ?? text).map((value) => leaf(value));
  }
}
