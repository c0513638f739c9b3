import type { NonEmptyArray } from 'type-graphql';
import type { Services } from '../services';
import { CATALOG_RESOLVERS } from './catalog';
import { PARTNER_RESOLVERS } from './partners';
import { SHARING_RESOLVERS } from './sharing';
import { ShareLinksResolver } from './sharing/share-links.resolver';
import { IdentityResolver } from './identity/identity.resolver';
import { AgendaResolver } from './scheduling/agenda.resolver';
import { AppointmentFieldsResolver } from './scheduling/appointment-fields.resolver';
import { AppointmentsResolver } from './scheduling/appointments.resolver';
import { HoldsResolver } from './scheduling/holds.resolver';
import { AvailabilityResolver } from './scheduling/availability.resolver';
import { PatientsResolver } from './scheduling/patients.resolver';
import { ConnectionsResolver } from './connections/connections.resolver';
import { EngagementIndexResolver } from './engagement-index/engagement-index.resolver';

type ResolverClass = new (services: Services) => object;

/** Every resolver class; each takes the services bag and nothing else. */
export const RESOLVERS: NonEmptyArray<ResolverClass> = [
  IdentityResolver, ...CATALOG_RESOLVERS, PatientsResolver, AvailabilityResolver, AppointmentsResolver, HoldsResolver, AppointmentFieldsResolver, AgendaResolver,
  ...SHARING_RESOLVERS, ShareLinksResolver, ...PARTNER_RESOLVERS, ConnectionsResolver, EngagementIndexResolver,
];

export function instantiateResolvers(services: Services, classes: readonly ResolverClass[] = RESOLVERS): Map<Function, object> {
  return new Map(classes.map((resolverClass) => [resolverClass, new resolverClass(services)]));
}
