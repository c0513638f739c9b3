import type { Principal } from '../../context/principal';
import type { AppointmentOrigin } from '../../entities';
import { forbidden } from '../../platform/errors';
import { AGENDA_WRITERS } from '../common/access';
import { actingPartnerOf } from '../common/acting-partner';

/**
 * Through which door a booking comes, decided from the caller alone: local staff book in their own
 * schedules; staff with PARTNER_BOOKING, partner users and partner apps book for one partner through
 * its traffic channels; a peer server books through its share. The booking statement checks the
 * door's policy itself (row-locked, so a channel, partner, centre or share changed meanwhile is
 * seen), and no caller can choose a door its principal does not open.
 */
export type BookingDoor =
  | { kind: 'STAFF'; origin: 'LOCAL' }
  | { kind: 'PARTNER'; partnerId: string; origin: Extract<AppointmentOrigin, 'PARTNER_BOOKING' | 'PARTNER_APP'> }
  | { kind: 'SHARE'; shareId: string; origin: 'SHARED_CLIENT' };

export function bookingDoorOf(caller: Principal, forPartnerId: string | undefined): BookingDoor {
  if (caller.kind === 'PEER_SERVER') {
    if (forPartnerId) throw forbidden('A peer server books through its share only');
    return { kind: 'SHARE', shareId: caller.shareId, origin: 'SHARED_CLIENT' };
  }
  if (caller.kind === 'STAFF_USER' && !forPartnerId) {
    if (!caller.roles.some((role) => AGENDA_WRITERS.includes(role))) throw forbidden(`Requires one of the roles ${AGENDA_WRITERS.join(', ')}`);
    return { kind: 'STAFF', origin: 'LOCAL' };
  }
  const acting = actingPartnerOf(caller, forPartnerId);
  return { kind: 'PARTNER', partnerId: acting.partnerId, origin: acting.origin };
}
