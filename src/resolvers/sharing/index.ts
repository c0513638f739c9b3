import { AppointmentSharingFieldsResolver } from './appointment-sharing-fields.resolver';
import { PeerResolver } from './peer.resolver';
import { ScheduleSharesResolver } from './shares.resolver';
import { ScheduleSharingFieldsResolver, ShareLinkFieldsResolver } from './share-link-fields.resolver';

/** Every resolver class of schedule sharing (sharing side and peer API), for src/resolvers/index.ts. */
export const SHARING_RESOLVERS = [ScheduleSharesResolver, PeerResolver, AppointmentSharingFieldsResolver, ShareLinkFieldsResolver, ScheduleSharingFieldsResolver] as const;
