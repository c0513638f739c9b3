import type { Tx } from '../../db/unit-of-work';
import { lookupableIds } from '../catalog/catalog-support.sql';
import type { PartnerOfferRow, PartnerPatientRow } from './partners.model';

/** Channels that let a partner book: activated, at an online centre, while the partner is active. */
const OPEN_CHANNEL = `traffic_channels tc
  JOIN partners p ON p.tenant_id = tc.tenant_id AND p.id = tc.partner_id AND p.active
  JOIN centres c ON c.tenant_id = tc.tenant_id AND c.id = tc.centre_id AND NOT c.offline`;

/** SQL of the partner booking flow (seed 001). Every statement names the tenant and the partner. */
export const partnerBookingRepository = {
  /** Step 1: the centres where the partner has at least one open channel, by name. */
  async centreIds(tx: Tx, partnerId: string): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `SELECT c.id FROM ${OPEN_CHANNEL} WHERE tc.tenant_id = $1 AND tc.partner_id = $2 GROUP BY c.id, c.name ORDER BY c.name, c.id`,
      [tx.tenantId, partnerId],
    );
    return rows.map((row) => row.id);
  },

  /** Step 2: what the partner may book at a centre: activated services, by practitioner, in the centre's active own schedules. */
  async offers(tx: Tx, partnerId: string, centreId: string): Promise<PartnerOfferRow[]> {
    return tx.query<PartnerOfferRow>(
      `SELECT DISTINCT s.practitioner_id AS "practitionerId", coalesce(pr.qualifications, '{}') AS qualifications, ss.service_id AS "serviceId"
       FROM ${OPEN_CHANNEL}
       JOIN schedules s ON s.tenant_id = tc.tenant_id AND s.centre_id = tc.centre_id AND s.active AND s.link_id IS NULL
       JOIN schedule_services ss ON ss.tenant_id = s.tenant_id AND ss.schedule_id = s.id AND ss.service_id = tc.service_id
       LEFT JOIN practitioners pr ON pr.tenant_id = s.tenant_id AND pr.id = s.practitioner_id
       WHERE tc.tenant_id = $1 AND tc.partner_id = $2 AND tc.centre_id = $3`,
      [tx.tenantId, partnerId, centreId],
    );
  },

  /** Patients as a partner sees them (its bookings' patients). */
  async patientsByIds(tx: Tx, ids: readonly string[]): Promise<PartnerPatientRow[]> {
    return tx.query<PartnerPatientRow>(
      `SELECT id, family_name AS "familyName", given_name AS "givenName" FROM patients WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tx.tenantId, lookupableIds(ids)],
    );
  },

  /** Step 4 for partner principals: an exact personal identity number together with the family name (any case). */
  async findPatient(tx: Tx, personalIdentityNumber: string, familyName: string): Promise<PartnerPatientRow | undefined> {
    const [row] = await tx.query<PartnerPatientRow>(
      `SELECT id, family_name AS "familyName", given_name AS "givenName" FROM patients
       WHERE tenant_id = $1 AND personal_identity_number = $2 AND lower(family_name) = lower($3)`,
      [tx.tenantId, personalIdentityNumber, familyName],
    );
    return row;
  },
};
