/*
 * Migrations are frozen history: each one holds its own SQL (it imports nothing but TypeORM's
 * types, so editing another file cannot rewrite what it did) and is never edited once released.
 * A change to the schema is a new migration.
 */
import { Platform1795404312601 } from './1795404312601-platform';
import { Scheduling1795405200000 } from './1795405200000-scheduling';
import { Federation1795406400000 } from './1795406400000-federation';
import { InlineSlotRule1796207000000 } from './1796207000000-inline-slot-rule';
import { SignInFailures1796600000000 } from './1796600000000-sign-in-failures';
import { LinkHealth1796700000000 } from './1796700000000-link-health';
import { Partners1796800000000 } from './1796800000000-partners';
import { PartnerScope1796900000000 } from './1796900000000-partner-scope';
import { Holds1797000000000 } from './1797000000000-holds';
import { PartnerData1797100000000 } from './1797100000000-partner-data';
import { BookingSystemConnections1797200000000 } from './1797200000000-booking-system-connections';
import { ExternalSchedules1797250000000 } from './1797250000000-external-schedules';
import { EngagementIndex1797300000000 } from './1797300000000-engagement-index';

/** Every migration, in order. Listed explicitly so the same list serves the server, the CLI and the tests. */
export const MIGRATIONS: Function[] = [Platform1795404312601, Scheduling1795405200000, Federation1795406400000, InlineSlotRule1796207000000, SignInFailures1796600000000, LinkHealth1796700000000, Partners1796800000000, PartnerScope1796900000000, Holds1797000000000, PartnerData1797100000000, BookingSystemConnections1797200000000, ExternalSchedules1797250000000, EngagementIndex1797300000000];
