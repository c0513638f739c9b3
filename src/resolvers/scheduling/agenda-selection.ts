import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import {
  AGENDA_APPOINTMENT_FIELDS, AGENDA_PATIENT_FIELDS, AGENDA_PRACTITIONER_FIELDS, AGENDA_SCHEDULE_FIELDS, AGENDA_SERVICE_FIELDS,
  type AgendaAppointmentField, type AgendaProjection,
} from '../../services/scheduling/agenda-projection';

/** What the resolvers of fields outside the agenda read (history, partner, the sharing fields…): the ids and the origin. */
const RESOLVER_NEEDS: readonly AgendaAppointmentField[] = ['id', 'centreId', 'scheduleId', 'serviceId', 'patientId', 'partnerId', 'origin'];

/** The fields below a selection set by name, through fragments and inline fragments (merged, as execution merges them). */
function fieldsOf(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, into = new Map<string, FieldNode[]>()): Map<string, FieldNode[]> {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) into.set(selection.name.value, [...(into.get(selection.name.value) ?? []), selection]);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fieldsOf(selection.selectionSet, info, into);
    else fieldsOf(info.fragments[selection.name.value]?.selectionSet, info, into);
  }
  return into;
}

const below = (nodes: FieldNode[], info: GraphQLResolveInfo) => {
  const merged = new Map<string, FieldNode[]>();
  for (const node of nodes) fieldsOf(node.selectionSet, info, merged);
  return merged;
};

/**
 * The fields of a type the read can give, from what is selected: those it knows by name; when
 * anything else is asked (a field with a resolver of its own), every one it knows, so that
 * resolver finds the row it expects.
 */
function known<F extends string>(selected: Map<string, FieldNode[]>, fields: readonly F[], alsoServed: readonly string[] = []): Set<F> {
  const names = [...selected.keys()].filter((name) => name !== '__typename');
  if (names.some((name) => !fields.includes(name as F) && !alsoServed.includes(name))) return new Set(fields);
  return new Set(names.filter((name): name is F => fields.includes(name as F)));
}

/** The agenda projection of an `appointments` selection (`nodes { … }`). */
export function agendaProjectionOf(info: GraphQLResolveInfo): AgendaProjection {
  const nodes = below(info.fieldNodes.flatMap((node) => fieldsOf(node.selectionSet, info).get('nodes') ?? []), info);
  const appointment = new Set<AgendaAppointmentField>(['id']);
  const projection: AgendaProjection = { appointment };
  for (const [name, fieldNodes] of nodes) {
    if (name === '__typename') continue;
    if ((AGENDA_APPOINTMENT_FIELDS as readonly string[]).includes(name)) {
      appointment.add(name as AgendaAppointmentField);
    } else if (name === 'schedule') {
      const selected = below(fieldNodes, info);
      const practitioner = selected.get('practitioner');
      projection.schedule = {
        fields: known(selected, AGENDA_SCHEDULE_FIELDS, ['practitioner']),
        practitioner: practitioner && known(below(practitioner, info), AGENDA_PRACTITIONER_FIELDS),
      };
    } else if (name === 'patient') {
      projection.patient = known(below(fieldNodes, info), AGENDA_PATIENT_FIELDS);
    } else if (name === 'service') {
      projection.service = known(below(fieldNodes, info), AGENDA_SERVICE_FIELDS);
    } else {
      for (const field of RESOLVER_NEEDS) appointment.add(field);
    }
  }
  return projection;
}
