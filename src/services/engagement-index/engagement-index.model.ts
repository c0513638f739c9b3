import type { ContractVersion } from './engagement-index.rules';

/** The configuration's fields (the client key apart: it is never shown). */
export interface SettingsFields {
  enabled: boolean;
  centreIds: string[];
  sourceSystem: string | null;
  dataController: string | null;
  endpointUrl: string | null;
  endpointHsaId: string | null;
  clientCertificate: string | null;
  trustedCa: string | null;
  contractVersion: ContractVersion;
}

/** A tenant's configuration as it may be shown: the client key never, only whether one is set. */
export interface SettingsRow extends SettingsFields {
  clientKeySet: boolean;
  updatedAt: Date;
}

/** What the delivery needs besides the shown fields: the sealed key and the row's version. */
export interface DeliveryConfigRow extends SettingsRow {
  clientKeyCiphertext: Buffer | null;
  /** Failed attempts in a row (the backoff's exponent). */
  failedAttempts: number;
}

export interface FailureRow {
  appointmentId: string;
  reason: string;
  failedAt: Date;
}

export interface StatusRow {
  pendingAppointments: number;
  pendingSince: Date | null;
  failedAttempts: number;
  retryAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  posts: number;
  deliveredRequests: number;
  deliveredTransactions: number;
  lastDeliveredAt: Date | null;
  failedCount: number;
  failures: FailureRow[];
  skippedWithoutPersonalNumber: number;
  skippedAnonymous: number;
}
