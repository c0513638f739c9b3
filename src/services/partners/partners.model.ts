import type { PartnerKind } from '../../entities';
import type { MedicalServiceRow } from '../catalog/catalog.model';

export interface PartnerRow {
  id: string;
  name: string;
  kind: PartnerKind;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type PartnerFields = Pick<PartnerRow, 'name' | 'kind' | 'contactName' | 'contactEmail' | 'contactPhone' | 'active'>;

/** One centre's traffic channels: for each service, the partners it is activated for. */
export interface ChannelMatrix {
  centreId: string;
  /** Every partner of the tenant (the columns), by name. */
  partners: PartnerRow[];
  /** The services offered at the centre, and any other with a channel there (the rows), by name. */
  rows: Array<{ service: MedicalServiceRow; partnerIds: string[] }>;
}

/** What a partner may book at one centre: each practitioner's activated services, through the centre's active schedules. */
export interface PartnerOfferRow {
  practitionerId: string | null;
  qualifications: string[];
  serviceId: string;
}

/** A patient as a partner principal sees it when booking: enough to confirm whom it books for, nothing more. */
export interface PartnerPatientRow {
  id: string;
  familyName: string;
  givenName: string;
}
