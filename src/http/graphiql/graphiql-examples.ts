/**
 * The tabs GraphiQL opens with: what careslot can do, each runnable as it stands against the
 * demo data. Ids differ per database, so the variables name the values they need as
 * "{{fact}}"; once signed in, the page (graphiql-boot.js) looks those up through the API and
 * fills them in. A fact it cannot know is shown as "<hint>".
 */
export interface GraphiqlExample {
  /** The operation's name: the tab's title, and how the page recognises the tab on later visits. */
  readonly operationName: string;
  /** The document, opening with comment lines that say what it does and how to run it. */
  readonly query: string;
  /** The variables; a string "{{fact}}" stands for the value of that fact (which may be a list). */
  readonly variables: Readonly<Record<string, unknown>>;
}

/**
 * Every fact the examples use, with what to put there when the page does not know it. The page
 * always knows `weekStart`, `weekEnd` and the idempotency keys (it makes them).
 */
export const GRAPHIQL_EXAMPLE_FACTS = {
  centreId: 'a centre id: see centres',
  weekStart: 'an instant, e.g. 2026-03-30T00:00:00Z',
  weekEnd: 'an instant at most 31 days after from',
  scheduleId: 'a schedule id: see the schedules of a centre',
  serviceId: 'a service the schedule offers: see services',
  freeSlotStart: 'a free start: see availability',
  patientId: 'a patient id: see patients(search: …)',
  bookingKey: 'any 8–128 letters, digits, dots, dashes',
  appointmentId: 'an upcoming appointment id: see appointments',
  cancellationKey: 'any 8–128 letters, digits, dots, dashes',
  sharedScheduleIds: 'schedule ids of the centre',
  clientCentreId: 'the id of your centre that links',
  shareServerUrl: 'serverUrl from the CreateScheduleShare answer',
  shareCentreId: 'centreId from the CreateScheduleShare answer',
  shareToken: 'token from the CreateScheduleShare answer',
  partnerId: 'a partner you may book for: see viewer { can { partners { id } } }',
  partnerCentreId: 'a centre of the partner: see partnerCentres',
  partnerServiceId: 'an activated service: see partnerServices',
  partnerScheduleId: 'a schedule with a green slot: see partnerAvailability',
  partnerSlotStart: 'a green slot: see partnerAvailability',
  partnerBookingKey: 'any 8–128 letters, digits, dots, dashes',
  holdSlotStart: 'another free start: see availability',
  holdKey: 'any 8–128 letters, digits, dots, dashes',
} as const;

export type GraphiqlExampleFact = keyof typeof GRAPHIQL_EXAMPLE_FACTS;

const fact = (name: GraphiqlExampleFact): string => `{{${name}}}`;

export const GRAPHIQL_EXAMPLES: readonly GraphiqlExample[] = [
  {
    operationName: 'CentresAndThisWeek',
    query: `# Your centres, and this week's free and booked time at one
# of them (ids are in Variables). Run it: ▶ or Ctrl+Enter.
query CentresAndThisWeek($centreId: ID!, $from: Instant!, $to: Instant!) {
  centres(first: 20) {
    nodes {
      id
      name
      timeZone
      schedules { id name slotMinutes }
    }
  }
  availability(centreId: $centreId, from: $from, to: $to) {
    schedules {
      scheduleId
      free { start end }
      occupied { start end }
    }
  }
}
`,
    variables: { centreId: fact('centreId'), from: fact('weekStart'), to: fact('weekEnd') },
  },
  {
    operationName: 'BookAppointment',
    query: `# Books a slot that was free when the page loaded. Failures
# a clinic expects (slot taken, …) are typed results, and the
# same idempotencyKey answers the same booking again.
mutation BookAppointment($input: BookAppointmentInput!) {
  bookAppointment(input: $input) {
    __typename
    ... on Appointment {
      id
      start
      end
      status
      service { name }
      patient { givenName familyName }
    }
    ... on SlotUnavailable { message }
    ... on OutsideOpeningHours { message }
    ... on OffSlotGrid { message }
    ... on InThePast { message }
    ... on ServiceNotOffered { message }
    ... on PatientNotFound { message }
    ... on NotBookableThroughShare { message }
  }
}
`,
    variables: {
      input: {
        scheduleId: fact('scheduleId'),
        serviceId: fact('serviceId'),
        start: fact('freeSlotStart'),
        patientId: fact('patientId'),
        idempotencyKey: fact('bookingKey'),
        note: 'Booked from GraphiQL',
      },
    },
  },
  {
    operationName: 'HoldSlot',
    query: `# "Start the reservation": holds a free slot for you alone
# while the patient is found or registered (HOLD_SECONDS, 5
# minutes by default). Then book on it: in BookAppointment put
# "holdId" in place of scheduleId, serviceId and start; or
# give it back with releaseHold(input: { holdId }).
mutation HoldSlot($input: HoldSlotInput!) {
  holdSlot(input: $input) {
    __typename
    ... on Hold { id start end expiresAt }
    ... on SlotUnavailable { message }
    ... on OffSlotGrid { message }
    ... on InThePast { message }
  }
}
`,
    variables: {
      input: { scheduleId: fact('scheduleId'), serviceId: fact('serviceId'), start: fact('holdSlotStart'), idempotencyKey: fact('holdKey') },
    },
  },
  {
    operationName: 'CancelAppointment',
    query: `# Cancels one of your upcoming appointments, with a reason.
# The same idempotencyKey answers the same result again.
mutation CancelAppointment($input: CancelAppointmentInput!) {
  cancelAppointment(input: $input) {
    id
    start
    status
    cancellation { reasonCode reasonText }
  }
}
`,
    variables: {
      input: {
        appointmentId: fact('appointmentId'),
        reasonCode: 'PATIENT_REQUEST',
        reasonText: 'Cancelled from GraphiQL',
        idempotencyKey: fact('cancellationKey'),
      },
    },
  },
  {
    operationName: 'AgendaChanged',
    query: `# Live changes to a centre's agenda, over WebSocket. Start
# it, then book or cancel from another client (e.g. this page
# in a duplicated browser tab): the events arrive here.
subscription AgendaChanged($centreId: ID!) {
  agendaChanged(centreId: $centreId) {
    kind
    appointmentId
    scheduleId
    appointment { start end status }
  }
}
`,
    variables: { centreId: fact('centreId') },
  },
  {
    operationName: 'CreateScheduleShare',
    query: `# Shares schedules of your centre with centres of other
# tenants, here or on another server. The answer holds what
# they enter in CreateShareLink: serverUrl, centreId and the
# token, shown only this once (this browser tab keeps it).
mutation CreateScheduleShare($input: CreateScheduleShareInput!) {
  createScheduleShare(input: $input) {
    serverUrl
    centreId
    token
    share {
      id
      label
      scheduleIds
      restrictions { earliestDaysAhead latestDaysAhead dailyQuota }
    }
  }
}
`,
    variables: {
      input: {
        centreId: fact('centreId'),
        scheduleIds: fact('sharedScheduleIds'),
        label: 'Shared from GraphiQL',
        restrictions: { latestDaysAhead: 30 },
      },
    },
  },
  {
    operationName: 'CreateShareLink',
    query: `# Links one of your centres to a share, so that its agenda
# shows the shared schedules. Run CreateScheduleShare first:
# its answer fills in url, remoteCentreId and token. For a
# centre of another tenant, sign in as its admin and paste
# those three there.
mutation CreateShareLink($input: CreateShareLinkInput!) {
  createShareLink(input: $input) {
    __typename
    ... on ShareLinkOk {
      remoteCentreName
      schedules { name slotMinutes }
      link { id label }
    }
    ... on ShareLinkProblem { reason message }
  }
}
`,
    variables: {
      input: {
        url: fact('shareServerUrl'),
        remoteCentreId: fact('shareCentreId'),
        token: fact('shareToken'),
        centreId: fact('clientCentreId'),
        label: 'Linked from GraphiQL',
      },
    },
  },
  {
    operationName: 'PartnerFlow',
    query: `# Seed 001, "Book to partner", steps 1–4: staff with the
# PARTNER_BOOKING permission (naming the partner), a partner
# user or a partner app (the banner prints one) see only what
# the partner's traffic channels activate. Step 5 is the next tab.
query PartnerFlow($partnerId: ID, $centreId: ID!, $serviceId: ID!, $from: Instant!, $to: Instant!) {
  viewer { kind can { bookForPartners partners { id name } } }
  # 1. Centres where the partner has an activated service
  partnerCentres(partnerId: $partnerId) { id name }
  # 2. Qualifications, practitioners, services (activated only)
  partnerQualifications(partnerId: $partnerId, centreId: $centreId)
  partnerPractitioners(partnerId: $partnerId, centreId: $centreId) { id name }
  partnerServices(partnerId: $partnerId, centreId: $centreId) { id name durationMinutes }
  # 3. The green slots of one service
  partnerAvailability(partnerId: $partnerId, centreId: $centreId, serviceId: $serviceId, from: $from, to: $to) {
    schedules { scheduleId slots { start state } }
  }
  # 4. A patient, by exact identity number and family name (audited)
  partnerPatient(partnerId: $partnerId, personalIdentityNumber: "198501012386", familyName: "Andersson") {
    id givenName familyName
  }
}
`,
    variables: {
      partnerId: fact('partnerId'),
      centreId: fact('partnerCentreId'),
      serviceId: fact('partnerServiceId'),
      from: fact('weekStart'),
      to: fact('weekEnd'),
    },
  },
  {
    operationName: 'BookToPartner',
    query: `# Seed 001, step 5: books a green slot for the partner, for a
# patient found in PartnerFlow (patientId) or a new one. Typed
# failures add ServiceNotActivatedForPartner and CentreOffline.
mutation BookToPartner($input: BookForPartnerInput!) {
  bookForPartner(input: $input) {
    __typename
    ... on PartnerBooking { id start status origin partnerId service { name } patient { familyName } }
    ... on ServiceNotActivatedForPartner { message }
    ... on CentreOffline { message }
    ... on SlotUnavailable { message }
    ... on InThePast { message }
    ... on OffSlotGrid { message }
  }
}
`,
    variables: {
      input: {
        partnerId: fact('partnerId'),
        scheduleId: fact('partnerScheduleId'),
        serviceId: fact('partnerServiceId'),
        start: fact('partnerSlotStart'),
        newPatient: { familyName: 'Exempel', givenName: 'Greta' },
        idempotencyKey: fact('partnerBookingKey'),
      },
    },
  },
  {
    operationName: 'PartnerFeed',
    query: `# Seed 002, for a partner app (open the partner app's GraphiQL
# link that npm start prints): the patients and appointments
# the clinic shares with the partner. Without a cursor, the
# whole set; then pass the last cursor to get only what changed
# (REMOVE: forget it, with the reason). Live:
#   subscription { partnerAppointmentChanged(after: null) { kind cursor } }
query PartnerFeed($after: String) {
  partnerDataAccess { state beginsAt }
  partnerAppointments(after: $after, first: 20) {
    changes {
      kind cursor
      appointment { id start status practitionerName patient { familyName givenName phone } }
      removed { entity id reason }
    }
    cursor hasMore reset
  }
}
`,
    variables: { after: null },
  },
];

/** What a new tab (+) opens with, instead of GraphiQL's generic welcome. */
export const GRAPHIQL_NEW_TAB_QUERY = `# Write a query, mutation or subscription: Ctrl+Space
# completes, Ctrl+Enter runs, the Docs (left) list them all.
query WhoAmI {
  viewer { kind user { email displayName roles } }
}
`;
