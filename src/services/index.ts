import type { AgendaWatchService } from './appointments/agenda-watch.service';
import type { AppointmentLifecycleService } from './appointments/appointment-lifecycle.service';
import type { AppointmentsQueryService } from './appointments/appointments-query.service';
import type { BookingService } from './appointments/booking.service';
import type { CatalogService } from './catalog/catalog.service';
import type { Authenticator } from './identity/authenticator';
import type { TokensService } from './identity/tokens.service';
import type { UsersService } from './identity/users.service';
import type { PatientsService } from './patients/patients.service';
import type { AvailabilityService } from './scheduling/availability.service';
import type { PeerService } from './sharing/peer.service';
import type { SharesService } from './sharing/shares.service';
import type { LinksService } from './sharing/links.service';

/** Every service, built once by the composition root (server.ts) and handed to resolvers. */
export interface Services {
  authenticator: Authenticator;
  users: UsersService;
  tokens: TokensService;
  catalog: CatalogService;
  patients: PatientsService;
  availability: AvailabilityService;
  booking: BookingService;
  lifecycle: AppointmentLifecycleService;
  appointments: AppointmentsQueryService;
  agenda: AgendaWatchService;
  shares: SharesService;
  peer: PeerService;
  links: LinksService;
}
