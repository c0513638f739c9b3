/**
 * Which entity an `ID` argument names, read from the schema's own names: `centreId`,
 * `scheduleIds`, `UpdateCentreInput.id`, `appointment(id:)`. A valid operation needs the id of
 * the right kind (a centre id where a centre is asked for); a kind we cannot tell is `undefined`
 * and gets any real id.
 */
export const ID_KINDS = [
  'centre', 'schedule', 'service', 'practitioner', 'patient', 'appointment', 'user', 'apiToken', 'scheduleShare', 'shareLink', 'scheduleException',
] as const;
export type IdKind = (typeof ID_KINDS)[number];

/** Real ids per kind; a kind may be empty. */
export type IdPool = Readonly<Record<IdKind, readonly string[]>>;

export const emptyIdPool = (): Record<IdKind, string[]> =>
  Object.fromEntries(ID_KINDS.map((kind) => [kind, [] as string[]])) as unknown as Record<IdKind, string[]>;

export function allIds(pool: IdPool): string[] {
  return ID_KINDS.flatMap((kind) => pool[kind]);
}

/** `ScheduleShare` → `scheduleShare`, `Service`/`MedicalService` → `service`, unknown → undefined. */
function kindOfEntityName(entity: string): IdKind | undefined {
  const normalised = entity.charAt(0).toLowerCase() + entity.slice(1);
  if ((ID_KINDS as readonly string[]).includes(normalised)) return normalised as IdKind;
  if (normalised === 'remoteCentre') return 'centre';
  if (normalised === 'allowedService') return 'service';
  return undefined;
}

/**
 * @param owner the input type holding the field (`UpdateCentreInput`), or the root field whose
 *   argument it is (`centre`)
 * @param field the field or argument name (`centreId`, `scheduleIds`, `id`)
 */
export function idKindOf(owner: string, field: string): IdKind | undefined {
  const named = /^(.+?)Ids?$/.exec(field);
  if (named) return kindOfEntityName(named[1]);
  if (field !== 'id') return undefined;
  // `UpdateCentreInput`, `RevokeScheduleShareInput`, `RotateScheduleShareTokenInput` → the entity in between.
  const input = /^(?:Update|Remove|Revoke|Rotate)(.+?)(?:Token)?Input$/.exec(owner);
  if (input) return kindOfEntityName(input[1]) ?? (owner === 'RevokeApiTokenInput' ? 'apiToken' : undefined);
  return kindOfEntityName(owner);
}
