import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import { ADMIN_ONLY } from '../../services/common/access';
import type { ConnectionOutcome } from '../../services/connections/connections.service';
import type { ConnectionRow } from '../../services/connections/connections.model';
import { CentreIdArgs } from '../../schema/pagination';
import {
  BookingSystem, BookingSystemCodeEnum, BookingSystemConnection, BookingSystemConnectionInput, ConnectionFieldEnum, ConnectionProblemCodeEnum,
  ConnectionTestResult, RequestDetailsArgs,
} from '../../schema/connections/connection.types';

const toConnection = (row: ConnectionRow): BookingSystemConnection => ({ ...row, system: row.system as BookingSystemCodeEnum });

function toTestResult(outcome: ConnectionOutcome): ConnectionTestResult {
  if (!outcome.ok) {
    return {
      ok: false, remoteName: null, connection: null,
      problem: { code: outcome.problem.code as ConnectionProblemCodeEnum, field: outcome.problem.field as ConnectionFieldEnum | null, message: outcome.problem.message },
    };
  }
  return { ok: true, remoteName: outcome.remoteName, problem: null, connection: outcome.connection ? toConnection(outcome.connection) : null };
}

/** Seed 004: a centre's booking-system connection, tested for real and saved only on success (ADMIN). */
@Resolver()
export class ConnectionsResolver {
  constructor(private readonly services: Services) {}

  @Authorized(...ADMIN_ONLY)
  @Query(() => [BookingSystem], { description: 'The booking systems a centre can be connected to, with the fields each needs.' })
  bookingSystems(): BookingSystem[] {
    return this.services.connections.systems().map((system) => ({
      ...system, code: system.code as BookingSystemCodeEnum, fields: system.fields.map((spec) => ({ ...spec, field: spec.field as ConnectionFieldEnum })),
    }));
  }

  @Authorized(...ADMIN_ONLY)
  @Query(() => BookingSystemConnection, { nullable: true, description: 'A centre\'s saved connection (null: none); its health from real traffic, no attempt spent.' })
  async bookingSystemConnection(@Ctx() ctx: RequestContext, @Args() { centreId }: CentreIdArgs): Promise<BookingSystemConnection | null> {
    const row = await this.services.connections.connection(ctx, centreId);
    return row && toConnection(row);
  }

  @Authorized(...ADMIN_ONLY)
  @Query(() => String, { description: 'Seed 004\'s "Request details": a ready-written message to the vendor asking for exactly the fields this system needs.' })
  bookingSystemRequestDetails(@Ctx() ctx: RequestContext, @Args() args: RequestDetailsArgs): Promise<string> {
    return this.services.connections.requestDetails(ctx, args.centreId, args.system);
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ConnectionTestResult, { description: '"Test connection": really connects. More than five failures (with test-and-save and share links) block you for an hour: RATE_LIMITED.' })
  async testBookingSystemConnection(@Ctx() ctx: RequestContext, @Arg('input') input: BookingSystemConnectionInput): Promise<ConnectionTestResult> {
    return toTestResult(await this.services.connections.test(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ConnectionTestResult, { description: '"Test and save": saves the connection only when the test succeeds; on failure nothing is stored.' })
  async testAndSaveBookingSystemConnection(@Ctx() ctx: RequestContext, @Arg('input') input: BookingSystemConnectionInput): Promise<ConnectionTestResult> {
    return toTestResult(await this.services.connections.testAndSave(ctx, input));
  }
}
