/** The GraphQL operations a client server sends to a sharing server's peer API. */
export const PEER_SHARE = `query PeerShare {
  peerShare {
    shareId centreId centreName timeZone
    schedules { id name slotMinutes services { id code name durationMinutes } }
    restrictions { allowedServiceIds earliestDaysAhead latestDaysAhead weeklyWindows { weekday startTime endTime } dailyQuota }
  }
}`;

export const PEER_AVAILABILITY = `query PeerAvailability($from: Instant!, $to: Instant!, $serviceId: ID, $slots: Boolean) {
  peerAvailability(from: $from, to: $to, serviceId: $serviceId, slots: $slots) {
    scheduleId free { start end } occupied { start end } slots { start end state }
  }
}`;

export const PEER_BOOK = `mutation PeerBook($input: PeerBookInput!) {
  peerBook(input: $input) { __typename ... on PeerBooking { appointmentId start end } ... on ShareRefused { reason } }
}`;

export const PEER_HOLD = `mutation PeerHold($input: PeerHoldInput!) {
  peerHold(input: $input) { __typename ... on PeerHold { holdId start end expiresAt } ... on ShareRefused { reason } }
}`;

export const PEER_RESCHEDULE = `mutation PeerReschedule($input: PeerRescheduleInput!) {
  peerReschedule(input: $input) { __typename ... on PeerBooking { appointmentId start end } ... on ShareRefused { reason } }
}`;

export const PEER_TWINS = `query PeerTwins($from: Instant!, $clientReference: String) {
  peerTwins(from: $from, clientReference: $clientReference) { clientReference start end status }
}`;

export const PEER_CANCEL = `mutation PeerCancel($input: PeerCancelInput!) {
  peerCancel(input: $input) { status appointmentId }
}`;

export const PEER_OCCUPANCY = `subscription PeerOccupancy { peerOccupancyChanged { scheduleId kind clientReference start end } }`;
