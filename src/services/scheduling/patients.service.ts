import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { publishPartnerFeedTouchedAfterCommit } from '../common/partner-feed-topic';
import { badInput, notFound } from '../../platform/errors';
import { PG_ERRORS, pgErrorCode, violatedConstraint } from '../../db/pg-errors';
import { AGENDA_WRITERS, STAFF_READERS, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { rowsById } from '../common/loaders';
import { decodeCursor, toPage, type Page, type PageRequest } from '../common/pagination';
import type { NewPatient, PatientChange, PatientRow } from './patient.model';
import { patientsRepository } from './patients.sql';
import { DuplicatePatientIdentity } from './scheduling-errors';

const PATIENT_LOADER = Symbol('patients');

export const patientLoader = (ctx: RequestContext) => rowsById(ctx, PATIENT_LOADER, patientsRepository.findByIds);

export class PatientsService {
  /** `bus` wakes partners' data feeds when a patient's details or consents change what they are shown. */
  constructor(private readonly bus: EventBus) {}

  async createPatient(ctx: RequestContext, input: NewPatient): Promise<PatientRow> {
    requireStaffRole(ctx, AGENDA_WRITERS);
    return ctx.transaction(async (tx) => {
      const patient = await patientsRepository.insert(tx, input);
      if (!patient) throw new DuplicatePatientIdentity('input.personalIdentityNumber');
      await recordAudit(ctx, tx, { action: 'patient.created', entityType: 'Patient', entityId: patient.id });
      return patient;
    });
  }

  async updatePatient(ctx: RequestContext, change: PatientChange): Promise<PatientRow> {
    requireStaffRole(ctx, AGENDA_WRITERS);
    return ctx.transaction(async (tx) => {
      let patient: PatientRow | undefined;
      try {
        patient = await patientsRepository.update(tx, change);
      } catch (error) {
        if (pgErrorCode(error) === PG_ERRORS.UNIQUE_VIOLATION && violatedConstraint(error) === 'patients_identity_number_key') {
          throw new DuplicatePatientIdentity('input.personalIdentityNumber');
        }
        throw error;
      }
      if (!patient) throw notFound('Patient');
      await recordAudit(ctx, tx, { action: 'patient.updated', entityType: 'Patient', entityId: patient.id, details: { consents: change.consents ?? {} } });
      publishPartnerFeedTouchedAfterCommit(tx, this.bus);
      return patient;
    });
  }

  async patient(ctx: RequestContext, id: string): Promise<PatientRow> {
    requireStaffRole(ctx, STAFF_READERS);
    const patient = await patientLoader(ctx).load(id);
    if (!patient) throw notFound('Patient');
    return patient;
  }

  async search(ctx: RequestContext, term: string, page: PageRequest): Promise<Page<PatientRow>> {
    requireStaffRole(ctx, STAFF_READERS);
    // A blank search would match every patient: searching is not listing.
    if (term.trim().length === 0) throw badInput([{ field: 'search', problems: ['must contain a name or an identity number'] }]);
    const after = page.after ? decodeCursor(page.after, 'after') : undefined;
    const rows = await ctx.transaction((tx) => patientsRepository.search(tx, term, { limit: page.first + 1, after }));
    return toPage(rows, page.first, patientsRepository.searchKeyOf);
  }
}
