import { PG_ERRORS, pgErrorCode, violatedConstraint } from '../../db/pg-errors';
import { AppError, ErrorCode } from '../../platform/errors';

/**
 * A patient with this personal identity number exists already (the unique index said so): told to
 * clients as BAD_USER_INPUT on the field that carried the number, and caught by type where a
 * service can do better (a peer booking books for the existing patient).
 */
export class DuplicatePatientIdentity extends AppError {
  constructor(field: 'input.personalIdentityNumber' | 'input.newPatient.personalIdentityNumber') {
    super(ErrorCode.BAD_USER_INPUT, 'Invalid input', { fields: [{ field, problems: ['a patient with this personal identity number exists'] }] });
  }
}

/**
 * Which race a booking or a move lost, by what the database refused: the slot (the exclusion constraint, or
 * a deadlock between overlapping inserts), a patient identity number or a share's client reference
 * taken meanwhile, or the idempotency key (a concurrent twin request). Anything else is no race.
 */
export function raceLost(error: unknown): 'SLOT' | 'PATIENT_IDENTITY' | 'CLIENT_REFERENCE' | 'IDEMPOTENCY_KEY' | undefined {
  const code = pgErrorCode(error);
  if (code === PG_ERRORS.DEADLOCK_DETECTED) return 'SLOT';
  if (code === PG_ERRORS.EXCLUSION_VIOLATION) return violatedConstraint(error) === 'appointments_no_overlap' ? 'SLOT' : undefined;
  if (code !== PG_ERRORS.UNIQUE_VIOLATION) return undefined;
  return UNIQUE_RACES.get(violatedConstraint(error) ?? '');
}

const UNIQUE_RACES = new Map<string, 'PATIENT_IDENTITY' | 'CLIENT_REFERENCE' | 'IDEMPOTENCY_KEY'>([
  ['patients_identity_number_key', 'PATIENT_IDENTITY'],
  ['appointments_share_reference_key', 'CLIENT_REFERENCE'],
  ['appointment_changes_idempotency_key', 'IDEMPOTENCY_KEY'],
]);
