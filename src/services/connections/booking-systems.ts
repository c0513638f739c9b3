/**
 * The booking systems a centre (a location, seed 004) can be connected to: each speaks a published
 * protocol, and needs some of the four fields seed 004 names. The API exposes this catalogue, so a
 * front end shows exactly the fields the chosen system needs.
 */
export const BOOKING_SYSTEM_CODES = ['CARESLOT', 'FHIR_R4', 'SMART_SCHEDULING_LINKS'] as const;
export type BookingSystemCode = (typeof BOOKING_SYSTEM_CODES)[number];

export const CONNECTION_FIELDS = ['externalId', 'externalDepartmentId', 'apiKey', 'bookingUrl'] as const;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

export type ConnectionFields = Partial<Record<ConnectionField, string>>;

export interface FieldSpec {
  field: ConnectionField;
  required: boolean;
  secret: boolean;
  /** What the vendor calls it, and what it is used for. */
  description: string;
}

export interface BookingSystem {
  code: BookingSystemCode;
  name: string;
  protocol: string;
  usedFor: string;
  fields: FieldSpec[];
}

export const BOOKING_SYSTEMS: readonly BookingSystem[] = [
  {
    code: 'CARESLOT',
    name: 'careslot',
    protocol: 'careslot peer protocol (a schedule share of another careslot server)',
    usedFor: 'Availability and synchronous bookings, through the share the other server issued',
    fields: [
      { field: 'bookingUrl', required: true, secret: false, description: 'The sharing careslot server\'s URL' },
      { field: 'externalId', required: true, secret: false, description: 'The sharing centre\'s ID on that server' },
      { field: 'apiKey', required: true, secret: true, description: 'The shared link token (csl_…) the sharing centre issued' },
    ],
  },
  {
    code: 'FHIR_R4',
    name: 'FHIR R4 scheduling server',
    protocol: 'HL7 FHIR R4: CapabilityStatement, Schedule, Slot, Appointment',
    usedFor: 'Free and busy Slots of the Schedule; bookings as Appointments on free Slots',
    fields: [
      { field: 'bookingUrl', required: true, secret: false, description: 'The FHIR base URL (…/fhir)' },
      { field: 'externalId', required: true, secret: false, description: 'The id of the location\'s Schedule resource' },
      { field: 'externalDepartmentId', required: false, secret: false, description: 'The id of the Location (department) the Schedule serves, checked when given' },
      { field: 'apiKey', required: true, secret: true, description: 'The API key, sent as a bearer token' },
    ],
  },
  {
    code: 'SMART_SCHEDULING_LINKS',
    name: 'SMART Scheduling Links publisher',
    protocol: 'SMART Scheduling Links: a $bulk-publish manifest of Location, Schedule and Slot ndjson files',
    usedFor: 'Read-only free slots, each with the publisher\'s booking deep link',
    fields: [
      { field: 'bookingUrl', required: true, secret: false, description: 'The publisher\'s $bulk-publish manifest URL' },
      { field: 'externalId', required: true, secret: false, description: 'The id of the Location or Schedule in the published files' },
    ],
  },
];

export function bookingSystemOf(code: BookingSystemCode): BookingSystem {
  return BOOKING_SYSTEMS.find((system) => system.code === code)!;
}

/** The required fields the admin left out, in the catalogue's order. */
export function missingFields(system: BookingSystem, fields: ConnectionFields): ConnectionField[] {
  return system.fields.filter((spec) => spec.required && !fields[spec.field]?.trim()).map((spec) => spec.field);
}

/** Only the last four characters of a secret are ever shown. */
export function lastFour(secret: string): string {
  return secret.slice(-4);
}

const FIELD_LABELS: Record<ConnectionField, string> = {
  externalId: 'External ID', externalDepartmentId: 'External department ID', apiKey: 'API key', bookingUrl: 'Booking URL',
};

/**
 * Seed 004's "Request details": a ready-written message to the system vendor asking for exactly
 * the fields this system needs, with the centre's identifiers.
 */
export function requestDetailsText(system: BookingSystem, centre: { name: string; id: string; hsaId: string | null; tenantName: string }): string {
  const lines = system.fields.map((spec) => `- ${FIELD_LABELS[spec.field]}${spec.required ? '' : ' (if you use it)'}: ${spec.description}`);
  return [
    `Hello,`,
    ``,
    `We would like to connect our location "${centre.name}" (${centre.tenantName}) to online booking through careslot, using ${system.name} (${system.protocol}).`,
    `Please send us the following connection details for this location:`,
    ...lines,
    ``,
    `Our identifiers: careslot centre ID ${centre.id}${centre.hsaId ? `, HSA ID ${centre.hsaId}` : ''}.`,
    `careslot will use the connection for: ${system.usedFor.toLowerCase()}.`,
    ``,
    `Thank you.`,
  ].join('\n');
}
