import type { ShareRestrictions } from '../../federation/peer-protocol';

/** Schedule shares as the sharing services hand them out (never with the secret or its hash). */
export interface ShareRow {
  id: string;
  centreId: string;
  label: string;
  /** The shared schedules, sorted. */
  scheduleIds: string[];
  restrictions: ShareRestrictions;
  revokedAt: Date | null;
  tokenRotatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A share as the staff API shows it: with the URL a client centre must enter. */
export interface ShareView extends ShareRow {
  serverUrl: string;
}

export interface CreatedShare {
  share: ShareView;
  /** The shared link token. Shown once: only a hash of its secret is kept. */
  token: string;
  serverUrl: string;
  centreId: string;
}

/** Restrictions as given: omitted fields take their defaults. */
export interface ShareRestrictionsInput {
  allowedServiceIds?: string[];
  earliestDaysAhead?: number;
  latestDaysAhead?: number;
  weeklyWindows?: Array<{ weekday: number; startTime: string; endTime: string }>;
  dailyQuota?: number | null;
}

export interface NewShare {
  centreId: string;
  scheduleIds: string[];
  label: string;
  restrictions?: ShareRestrictionsInput;
}

/** Omitted fields keep their value; scheduleIds replaces the whole set; restrictions replaces the whole set (omitted fields → defaults). */
export interface ShareChange {
  id: string;
  label?: string;
  scheduleIds?: string[];
  restrictions?: ShareRestrictionsInput;
}

export const DEFAULT_RESTRICTIONS: ShareRestrictions = {
  allowedServiceIds: [], earliestDaysAhead: 0, latestDaysAhead: 90, weeklyWindows: [], dailyQuota: null,
};

/** What the verifier needs: is the secret right, is the share still open. */
export interface ShareCredentialRow {
  id: string;
  secretHash: Buffer;
  revokedAt: Date | null;
}

/** A share as the peer side works with it: its centre, its (active, own) schedules and its rules. */
export interface PeerShareRow extends ShareCredentialRow {
  centreId: string;
  centreName: string;
  timeZone: string;
  offline: boolean;
  scheduleIds: string[];
  restrictions: ShareRestrictions;
}
