import type { PeerFailure } from '../../federation/peer-client';
import type { ConnectionField } from './booking-systems';

/** What a connection test found wrong (seed 004: "an explanatory error naming what is wrong"). */
export const CONNECTION_PROBLEMS = [
  'MISSING_FIELD', 'UNREACHABLE', 'DNS', 'TLS', 'TIMEOUT', 'KEY_REFUSED', 'UNKNOWN_EXTERNAL_ID', 'WRONG_PROTOCOL', 'RESPONSE_TOO_LARGE',
  'MALFORMED_RESPONSE', 'ADDRESS_NOT_ALLOWED',
] as const;
export type ConnectionProblemCode = (typeof CONNECTION_PROBLEMS)[number];

export interface ConnectionProblem {
  code: ConnectionProblemCode;
  /** The field to correct, when one is to blame. */
  field: ConnectionField | null;
  /** What is wrong and how to fix it, for the admin. */
  message: string;
}

const MESSAGES: Record<ConnectionProblemCode, string> = {
  MISSING_FIELD: 'This system needs this field: fill it in (the "request details" text asks the vendor for it)',
  UNREACHABLE: 'Nothing answers at this URL: check the address and that the system is running',
  DNS: 'The host name of this URL does not resolve: check its spelling',
  TLS: 'The secure connection failed (certificate or protocol): the system needs a valid certificate for this host name',
  TIMEOUT: 'The system did not answer in time: try again later, or ask the vendor',
  KEY_REFUSED: 'The system refused the API key: check it, or ask the vendor for a new one',
  UNKNOWN_EXTERNAL_ID: 'The system does not know this external ID: check it against the vendor\'s email',
  WRONG_PROTOCOL: 'The server at this URL does not speak this system\'s protocol (or version): check the URL and the system chosen',
  RESPONSE_TOO_LARGE: 'The system answered with more data than allowed',
  MALFORMED_RESPONSE: 'The system answered something that could not be read',
  ADDRESS_NOT_ALLOWED: 'This URL points to an address careslot may not call (a private or local network)',
};

export function problem(code: ConnectionProblemCode, field: ConnectionField | null = null, detail?: string): ConnectionProblem {
  return { code, field, message: detail ? `${MESSAGES[code]} (${detail})` : MESSAGES[code] };
}

/** A transport failure as a connection problem: the URL is to blame for the network's, the key for a refusal. */
export function problemOfFailure(failure: PeerFailure): ConnectionProblem {
  switch (failure) {
    case 'UNREACHABLE': return problem('UNREACHABLE', 'bookingUrl');
    case 'DNS': return problem('DNS', 'bookingUrl');
    case 'TIMEOUT': return problem('TIMEOUT', 'bookingUrl');
    case 'TLS': return problem('TLS', 'bookingUrl');
    case 'ADDRESS_NOT_ALLOWED': return problem('ADDRESS_NOT_ALLOWED', 'bookingUrl');
    case 'RESPONSE_TOO_LARGE': return problem('RESPONSE_TOO_LARGE');
    case 'REDIRECTED': return problem('WRONG_PROTOCOL', 'bookingUrl', 'the URL redirects elsewhere');
    case 'BAD_TOKEN': case 'REVOKED': return problem('KEY_REFUSED', 'apiKey');
    case 'UNKNOWN_CENTRE': return problem('UNKNOWN_EXTERNAL_ID', 'externalId');
    case 'INVALID_RESPONSE': return problem('WRONG_PROTOCOL', 'bookingUrl');
    case 'REFUSED': return problem('KEY_REFUSED', 'apiKey');
  }
}
