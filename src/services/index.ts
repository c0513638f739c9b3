import type { AgendaWatchService } from './scheduling/agenda-watch.service';
import type { AppointmentLifecycleService } from './scheduling/appointment-lifecycle.service';
import type { AppointmentsQueryService } from './scheduling/appointments-query.service';
import type { BookingService } from './scheduling/booking.service';
import type { HoldsService } from './scheduling/holds.service';
import type { CatalogService } from './catalog/catalog.service';
import type { Authenticator } from '../context/authenticator';
import type { TokensService } from './identity/tokens.service';
import type { UsersService } from './identity/users.service';
import type { PatientsService } from './scheduling/patients.service';
import type { AvailabilityService } from './scheduling/availability.service';
import type { PeerService } from './sharing/peer.service';
import type { SharesService } from './sharing/shares.service';
import type { LinksService } from './sharing/links.service';
import type { BookingStatisticsService } from './partners/booking-statistics.service';
import type { PartnerBookingService } from './partners/partner-booking.service';
import type { PartnersService } from './partners/partners.service';
import type { TrafficChannelsService } from './partners/traffic-channels.service';
import type { PartnerDataAccessService } from './partners/partner-data-access.service';
import type { PartnerFeedService } from './partners/partner-feed.service';
import type { PartnerActionsService } from './partners/partner-actions.service';
import type { ConnectionsService } from './connections/connections.service';

/** Every service, built once by the composition root (server.ts) and handed to resolvers. */
export interface Services {
  authenticator: Authenticator;
  users: UsersService;
  tokens: TokensService;
  catalog: CatalogService;
  patients: PatientsService;
  availability: AvailabilityService;
  booking: BookingService;
  holds: HoldsService;
  lifecycle: AppointmentLifecycleService;
  appointments: AppointmentsQueryService;
  agenda: AgendaWatchService;
  shares: SharesService;
  peer: PeerService;
  links: LinksService;
  partners: PartnersService;
  trafficChannels: TrafficChannelsService;
  partnerBooking: PartnerBookingService;
  bookingStatistics: BookingStatisticsService;
  partnerDataAccess: PartnerDataAccessService;
  partnerFeed: PartnerFeedService;
  partnerActions: PartnerActionsService;
  connections: ConnectionsService;
}
