/**
 * The engagement index's rules for the scheduling domain (seed 003, the TKB's rules for EI): what
 * a booking's index post is, which bookings have one, and which Update transactions bring the
 * index from what it holds to what it should hold. Pure: no I/O.
 */
export const CONTRACT_VERSIONS = ['1.1', '2.0'] as const;
export type ContractVersion = (typeof CONTRACT_VERSIONS)[number];

/** 1.1 (the default, the domain the seed links to): most recent content = start; 2.0: = the latest change. */
export const SERVICE_DOMAIN: Record<ContractVersion, string> = {
  '1.1': 'riv:crm:scheduling',
  '2.0': 'riv:supportprocess:logistics:scheduling',
};
export const NOT_APPLICABLE = 'NA';
export const MAX_TRANSACTIONS_PER_UPDATE = 1000;
/** A Swedish personal or coordination number, as the index's schema has it. */
export const RESIDENT_IDENTIFICATION = /^[0-9]{8}[0-9pPtTfF][0-9]{3}$/;
/** The statuses of a booking that still stands (cancelled, held, fulfilled and no-show have no post). */
const STANDING = new Set(['BOOKED', 'CONFIRMED', 'ARRIVED']);
/** Maximum lengths the index enforces. */
export const MAX_LENGTH = {
  registeredResidentIdentification: 32, serviceDomain: 255, categorization: 255, logicalAddress: 64,
  businessObjectInstanceIdentifier: 128, clinicalProcessInterestId: 128, sourceSystem: 64, dataController: 64,
} as const;

/** The key of an index post (categorization and clinicalProcessInterestId are always NA, owner is never sent). */
export interface EngagementKey {
  registeredResidentIdentification: string;
  serviceDomain: string;
  logicalAddress: string;
  businessObjectInstanceIdentifier: string;
  sourceSystem: string;
  dataController: string;
}

export interface Post extends EngagementKey {
  /** YYYYMMDDhhmmss */
  mostRecentContent: string;
}

export interface EngagementTransaction {
  deleteFlag: boolean;
  engagement: EngagementKey & { mostRecentContent?: string };
}

/** The settings a delivery needs (a complete configuration). */
export interface DeliverySettings {
  sourceSystem: string;
  dataController: string;
  contractVersion: ContractVersion;
  endpointHsaId: string;
}

/** One appointment as the outbox's reconciliation reads it, with what the index holds for it. */
export interface AppointmentState {
  appointmentId: string;
  markerIds: string[];
  resend: boolean;
  found: boolean;
  status: string | null;
  anonymous: boolean;
  future: boolean;
  /** The patient's personal number, trimmed (null: none). */
  resident: string | null;
  /** The centre's HSA-id, trimmed (null: none). */
  centreHsaId: string | null;
  takesPart: boolean;
  /** A mirror of another server's schedule: the sharing server reports the booking, not we. */
  mirror: boolean;
  /** The start and the latest change, YYYYMMDDhhmmss in the centre's time zone. */
  startContent: string | null;
  changeContent: string | null;
  posted: Post | null;
}

export type Skip = 'NO_PERSONAL_NUMBER' | 'ANONYMOUS';

/** The post the index should hold for the appointment, or null (and why, when it is a skipped patient). */
export function desiredPost(state: AppointmentState, settings: DeliverySettings): { post: Post | null; skipped?: Skip } {
  if (!state.found || !state.future || !STANDING.has(state.status ?? '') || !state.takesPart || state.mirror || !state.centreHsaId) return { post: null };
  if (state.anonymous) return { post: null, skipped: 'ANONYMOUS' };
  if (!state.resident || !RESIDENT_IDENTIFICATION.test(state.resident)) return { post: null, skipped: 'NO_PERSONAL_NUMBER' };
  const post: Post = {
    registeredResidentIdentification: state.resident,
    serviceDomain: SERVICE_DOMAIN[settings.contractVersion],
    logicalAddress: state.centreHsaId,
    businessObjectInstanceIdentifier: state.appointmentId,
    sourceSystem: settings.sourceSystem.trim(),
    dataController: settings.dataController.trim(),
    mostRecentContent: (settings.contractVersion === '1.1' ? state.startContent : state.changeContent)!,
  };
  // Never an id the index reserves for itself, never past a length it enforces.
  if (post.logicalAddress === settings.endpointHsaId || !withinLimits(post)) return { post: null };
  return { post };
}

function withinLimits(key: EngagementKey): boolean {
  return (Object.keys(MAX_LENGTH) as Array<keyof typeof MAX_LENGTH>).every((field) => (field in key ? key[field as keyof EngagementKey].length : 0) <= MAX_LENGTH[field]);
}

export const keyOf = (key: EngagementKey): string => [
  key.registeredResidentIdentification, key.serviceDomain, NOT_APPLICABLE, key.logicalAddress, key.businessObjectInstanceIdentifier,
  key.sourceSystem, key.dataController, NOT_APPLICABLE,
].join('\u0000');

const sameKey = (a: EngagementKey, b: EngagementKey): boolean => keyOf(a) === keyOf(b);

const deletion = (post: Post): EngagementTransaction => {
  const { mostRecentContent: _dropped, ...key } = post;
  return { deleteFlag: true, engagement: key };
};
const creation = (post: Post): EngagementTransaction => ({ deleteFlag: false, engagement: { ...post } });

/**
 * What brings the index from what it holds to what it should: nothing; a create (new booking);
 * an update of mostRecentContent (a rebooking); a delete (a cancellation, a passed start, a
 * booking no longer eligible); or, when a key field changed, a delete of the old post and a
 * create of the new. A resend sends the post even when the index holds it already.
 */
export function transactionsFor(state: AppointmentState, desired: Post | null): EngagementTransaction[] {
  const posted = state.posted;
  if (!desired) return posted ? [deletion(posted)] : [];
  if (!posted) return [creation(desired)];
  if (!sameKey(posted, desired)) return [deletion(posted), creation(desired)];
  return posted.mostRecentContent !== desired.mostRecentContent || state.resend ? [creation(desired)] : [];
}

export interface PlannedAppointment {
  state: AppointmentState;
  desired: Post | null;
  transactions: EngagementTransaction[];
}

/**
 * One Update's worth: appointments in outbox order while their transactions fit in 1,000, no two
 * on one key (an appointment's own transactions have different keys; a repeated key keeps the
 * latest). The rest wait for the next Update.
 */
export function planUpdate(states: AppointmentState[], settings: DeliverySettings): { planned: PlannedAppointment[]; transactions: EngagementTransaction[] } {
  const planned: PlannedAppointment[] = [];
  const byKey = new Map<string, EngagementTransaction>();
  for (const state of states) {
    const desired = desiredPost(state, settings).post;
    const transactions = transactionsFor(state, desired);
    if (byKey.size + transactions.length > MAX_TRANSACTIONS_PER_UPDATE) break;
    for (const transaction of transactions) {
      const key = keyOf(transaction.engagement);
      byKey.delete(key);
      byKey.set(key, transaction);
    }
    planned.push({ state, desired, transactions });
  }
  return { planned, transactions: [...byKey.values()] };
}
