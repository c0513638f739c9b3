import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { FieldProblem } from '../../platform/errors';
import type { DeliveryConfigRow, SettingsFields, SettingsRow } from './engagement-index.model';
import type { ContractVersion, DeliverySettings } from './engagement-index.rules';

/** An ADMIN's change to the configuration: omitted fields keep their value, null clears one. */
export interface EngagementIndexChange {
  enabled?: boolean;
  centreIds?: string[];
  sourceSystemHsaId?: string | null;
  dataController?: string | null;
  endpointUrl?: string | null;
  endpointHsaId?: string | null;
  clientCertificatePem?: string | null;
  clientKeyPem?: string | null;
  trustedCaPem?: string | null;
  contractVersion?: ContractVersion;
}

/** The configuration as it will be saved (the key in clear only until it is sealed). */
export interface MergedSettings extends SettingsFields {
  clientKey: { keep: true } | { pem: string | null };
}

const pick = <T>(change: T | undefined, current: T): T => (change === undefined ? current : change);
const text = (value: string | null | undefined): string | null | undefined => (typeof value === 'string' ? value.trim() || null : value);

export function mergeSettings(current: SettingsRow | undefined, change: EngagementIndexChange): MergedSettings {
  return {
    enabled: pick(change.enabled, current?.enabled ?? false),
    centreIds: [...new Set(pick(change.centreIds, current?.centreIds ?? []))],
    sourceSystem: pick(text(change.sourceSystemHsaId), current?.sourceSystem ?? null),
    // The organisation number without its hyphen: 10 digits.
    dataController: pick(text(change.dataController)?.replace('-', ''), current?.dataController ?? null),
    endpointUrl: pick(text(change.endpointUrl), current?.endpointUrl ?? null),
    endpointHsaId: pick(text(change.endpointHsaId), current?.endpointHsaId ?? null),
    clientCertificate: pick(text(change.clientCertificatePem), current?.clientCertificate ?? null),
    clientKey: change.clientKeyPem === undefined ? { keep: true } : { pem: text(change.clientKeyPem) ?? null },
    trustedCa: pick(text(change.trustedCaPem), current?.trustedCa ?? null),
    contractVersion: pick(change.contractVersion, current?.contractVersion ?? '1.1'),
  };
}

/** The fields a delivery cannot go without, by their input names. */
export function missingFields(settings: { sourceSystem: string | null; dataController: string | null; endpointUrl: string | null; endpointHsaId: string | null; clientCertificate: string | null; clientKeySet: boolean }): string[] {
  const missing: string[] = [];
  if (!settings.sourceSystem) missing.push('sourceSystemHsaId');
  if (!settings.dataController) missing.push('dataController');
  if (!settings.endpointUrl) missing.push('endpointUrl');
  if (!settings.endpointHsaId) missing.push('endpointHsaId');
  if (!settings.clientCertificate) missing.push('clientCertificatePem');
  if (!settings.clientKeySet) missing.push('clientKeyPem');
  return missing;
}

/**
 * Problems with the configuration as it would be saved, by input field: what enabling needs, PEM
 * that does not parse, a key that is not the certificate's, the index's own HSA-id used as ours.
 * `currentKey` is the sealed key's PEM when the change keeps it (to check it against a new certificate).
 */
export function configurationProblems(merged: MergedSettings, currentKey: string | null, centres: Array<{ id: string; hsaId: string | null }>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, problem: string) => problems.push({ field: `input.${field}`, problems: [problem] });
  const key = 'pem' in merged.clientKey ? merged.clientKey.pem : currentKey;
  if (merged.enabled) {
    for (const field of missingFields({ ...merged, clientKeySet: key !== null })) add(field, `${field} is required to enable the engagement index`);
  }
  const known = new Map(centres.map((centre) => [centre.id, centre.hsaId]));
  if (merged.centreIds.some((id) => !known.has(id))) add('centreIds', 'every centre must be one of yours');
  else if (merged.centreIds.some((id) => !known.get(id))) add('centreIds', 'a centre takes part only with an HSA-id (set it on the centre first)');
  else if (merged.endpointHsaId && merged.centreIds.some((id) => known.get(id) === merged.endpointHsaId)) add('centreIds', 'a centre cannot use the index\'s own HSA-id');
  if (merged.sourceSystem && merged.sourceSystem === merged.endpointHsaId) add('sourceSystemHsaId', 'sourceSystemHsaId must be the source system\'s own HSA-id, not the index\'s');
  let certificate: X509Certificate | undefined;
  if (merged.clientCertificate) {
    try {
      certificate = new X509Certificate(merged.clientCertificate);
    } catch {
      add('clientCertificatePem', 'clientCertificatePem must be a PEM certificate');
    }
  }
  if (key !== null && 'pem' in merged.clientKey) {
    try {
      const privateKey = createPrivateKey(key);
      if (certificate && !certificate.checkPrivateKey(privateKey)) add('clientKeyPem', 'clientKeyPem is not the key of clientCertificatePem');
    } catch {
      add('clientKeyPem', 'clientKeyPem must be an unencrypted PEM private key');
    }
  } else if (key !== null && certificate && !certificate.checkPrivateKey(createPrivateKey(key))) {
    add('clientCertificatePem', 'clientCertificatePem does not match the client key already saved (send both)');
  }
  if (merged.trustedCa) {
    try {
      new X509Certificate(merged.trustedCa);
    } catch {
      add('trustedCaPem', 'trustedCaPem must be a PEM certificate');
    }
  }
  return problems;
}

/** What a delivery needs, when the configuration is complete (else undefined: nothing is sent). */
export function deliverySettingsOf(config: DeliveryConfigRow): DeliverySettings | undefined {
  if (missingFields(config).length > 0) return undefined;
  return { sourceSystem: config.sourceSystem!, dataController: config.dataController!, contractVersion: config.contractVersion, endpointHsaId: config.endpointHsaId! };
}

/** The certificate's subject and expiry, for the admin to see which one is in use. */
export function certificateSummary(pem: string | null): { subject: string; validTo: Date } | null {
  if (!pem) return null;
  try {
    const certificate = new X509Certificate(pem);
    return { subject: certificate.subject.replace(/\n/g, ', '), validTo: new Date(certificate.validTo) };
  } catch {
    return null;
  }
}
