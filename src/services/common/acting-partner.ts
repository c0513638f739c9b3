import { ownPartnerOf, type Principal } from '../../context/principal';
import { badInput, forbidden } from '../../platform/errors';

/** For whom a caller acts in the partner part of the schema, and the origin its bookings get. */
export interface ActingPartner {
  partnerId: string;
  origin: 'PARTNER_BOOKING' | 'PARTNER_APP';
}

const PERMISSION_NEEDED = 'Booking for partners requires the PARTNER_BOOKING permission';

/**
 * Seed 001's three partner doors: a staff user with PARTNER_BOOKING acts for the partner it names;
 * a partner user (with PARTNER_BOOKING) and a partner app act for their own partner only, and may
 * leave it unnamed. Whether the partner exists and is active is the data layer's to say (another
 * tenant's is NOT_FOUND there).
 */
export function actingPartnerOf(caller: Principal, partnerId: string | undefined, field = 'partnerId'): ActingPartner {
  if (!mayActForPartners(caller)) throw forbidden(caller.kind === 'PEER_SERVER' ? undefined : PERMISSION_NEEDED);
  const own = ownPartnerOf(caller);
  if (own === undefined) {
    if (!partnerId) throw badInput([{ field, problems: ['name the partner you act for'] }]);
    return { partnerId, origin: 'PARTNER_BOOKING' };
  }
  if (partnerId && partnerId !== own) throw forbidden('A partner user or app acts for its own partner only');
  return { partnerId: own, origin: caller.kind === 'PARTNER_APP' ? 'PARTNER_APP' : 'PARTNER_BOOKING' };
}

/** Whether the caller may act for partners at all: staff and partner users holding PARTNER_BOOKING, and partner apps. */
export function mayActForPartners(caller: Principal): boolean {
  switch (caller.kind) {
    case 'STAFF_USER':
    case 'PARTNER_USER':
      return caller.permissions.includes('PARTNER_BOOKING');
    case 'PARTNER_APP':
      return true;
    case 'PEER_SERVER':
      return false;
  }
}
