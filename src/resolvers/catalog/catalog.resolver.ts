import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { ADMIN_ONLY } from '../../services/common/access';
import type { Services } from '../../services';
import type { CatalogService } from '../../services/catalog/catalog.service';
import { PageArgs } from '../../schema/pagination';
import { IdArgs, PractitionersArgs, SchedulesArgs } from '../../schema/catalog/catalog.args';
import {
  Centre, CentreConnection, Practitioner, PractitionerConnection, Schedule, ScheduleConnection, ScheduleException, Service,
  ServiceConnection,
} from '../../schema/catalog/catalog.types';
import { CreateCentreInput, UpdateCentreInput } from '../../schema/catalog/centre.inputs';
import { CreatePractitionerInput, UpdatePractitionerInput } from '../../schema/catalog/practitioner.inputs';
import {
  AddScheduleExceptionInput, CreateScheduleInput, RemoveScheduleExceptionInput, SetOpeningHoursInput, UpdateScheduleInput,
} from '../../schema/catalog/schedule.inputs';
import { CreateServiceInput, UpdateServiceInput } from '../../schema/catalog/service.inputs';
import {
  toCentre, toCentreConnection, toPractitioner, toPractitionerConnection, toSchedule, toScheduleConnection, toScheduleException,
  toService, toServiceConnection,
} from './catalog.mappers';

/** Centres, practitioners, services and schedules: staff read them, ADMIN configures them. */
@Resolver()
export class CatalogResolver {
  private readonly catalog: CatalogService;

  constructor(services: Services) {
    this.catalog = services.catalog;
  }

  @Authorized()
  @Query(() => CentreConnection, { description: 'The tenant\'s centres, by name.' })
  async centres(@Ctx() ctx: RequestContext, @Args() page: PageArgs): Promise<CentreConnection> {
    return toCentreConnection(await this.catalog.centres.centres(ctx, page));
  }

  @Authorized()
  @Query(() => Centre)
  async centre(@Ctx() ctx: RequestContext, @Args() args: IdArgs): Promise<Centre> {
    return toCentre(await this.catalog.centres.centre(ctx, args.id));
  }

  @Authorized()
  @Query(() => PractitionerConnection, { description: 'The tenant\'s practitioners, by name.' })
  async practitioners(@Ctx() ctx: RequestContext, @Args() args: PractitionersArgs): Promise<PractitionerConnection> {
    return toPractitionerConnection(await this.catalog.practitioners.practitioners(ctx, args));
  }

  @Authorized()
  @Query(() => ServiceConnection, { description: 'The tenant\'s bookable services (examinations), by code.' })
  async services(@Ctx() ctx: RequestContext, @Args() page: PageArgs): Promise<ServiceConnection> {
    return toServiceConnection(await this.catalog.medicalServices.services(ctx, page));
  }

  @Authorized()
  @Query(() => ScheduleConnection, { description: 'The schedules of one centre, by name.' })
  async schedules(@Ctx() ctx: RequestContext, @Args() args: SchedulesArgs): Promise<ScheduleConnection> {
    return toScheduleConnection(await this.catalog.schedules.schedulesOfCentre(ctx, args.centreId, args));
  }

  @Authorized()
  @Query(() => Schedule)
  async schedule(@Ctx() ctx: RequestContext, @Args() args: IdArgs): Promise<Schedule> {
    return toSchedule(await this.catalog.schedules.schedule(ctx, args.id));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Centre, { description: 'Adds a centre (ADMIN).' })
  async createCentre(@Ctx() ctx: RequestContext, @Arg('input') input: CreateCentreInput): Promise<Centre> {
    return toCentre(await this.catalog.centres.create(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Centre, { description: 'Changes a centre, e.g. takes it offline (ADMIN). A new time zone moves its schedules\' hours.' })
  async updateCentre(@Ctx() ctx: RequestContext, @Arg('input') input: UpdateCentreInput): Promise<Centre> {
    return toCentre(await this.catalog.centres.update(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Practitioner, { description: 'Adds a practitioner (ADMIN).' })
  async createPractitioner(@Ctx() ctx: RequestContext, @Arg('input') input: CreatePractitionerInput): Promise<Practitioner> {
    return toPractitioner(await this.catalog.practitioners.create(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Practitioner, { description: 'Changes a practitioner (ADMIN).' })
  async updatePractitioner(@Ctx() ctx: RequestContext, @Arg('input') input: UpdatePractitionerInput): Promise<Practitioner> {
    return toPractitioner(await this.catalog.practitioners.update(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Service, { description: 'Adds a bookable service (ADMIN).' })
  async createService(@Ctx() ctx: RequestContext, @Arg('input') input: CreateServiceInput): Promise<Service> {
    return toService(await this.catalog.medicalServices.create(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Service, { description: 'Changes a bookable service (ADMIN).' })
  async updateService(@Ctx() ctx: RequestContext, @Arg('input') input: UpdateServiceInput): Promise<Service> {
    return toService(await this.catalog.medicalServices.update(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Schedule, { description: 'Adds a schedule to a centre, with its services and optionally its weekly hours (ADMIN).' })
  async createSchedule(@Ctx() ctx: RequestContext, @Arg('input') input: CreateScheduleInput): Promise<Schedule> {
    return toSchedule(await this.catalog.schedules.create(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Schedule, { description: 'Changes a schedule (ADMIN).' })
  async updateSchedule(@Ctx() ctx: RequestContext, @Arg('input') input: UpdateScheduleInput): Promise<Schedule> {
    return toSchedule(await this.catalog.schedules.update(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Schedule, { description: 'Replaces a schedule\'s weekly opening hours with the given list, at once (ADMIN).' })
  async setOpeningHours(@Ctx() ctx: RequestContext, @Arg('input') input: SetOpeningHoursInput): Promise<Schedule> {
    return toSchedule(await this.catalog.scheduleHours.setOpeningHours(ctx, input.scheduleId, input.hours));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ScheduleException, { description: 'Closes a schedule for a while, or opens it outside its weekly hours (ADMIN).' })
  async addScheduleException(@Ctx() ctx: RequestContext, @Arg('input') input: AddScheduleExceptionInput): Promise<ScheduleException> {
    return toScheduleException(await this.catalog.scheduleHours.addException(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ScheduleException, { description: 'Removes a schedule exception (ADMIN); answers the removed exception.' })
  async removeScheduleException(@Ctx() ctx: RequestContext, @Arg('input') input: RemoveScheduleExceptionInput): Promise<ScheduleException> {
    return toScheduleException(await this.catalog.scheduleHours.removeException(ctx, input.id));
  }
}
