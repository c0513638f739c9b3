import { Ctx, Extensions, FieldResolver, Resolver, Root } from 'type-graphql';
import { SERVED_BY_PAGE } from '../../schema/cost-hints';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import type { CatalogService } from '../../services/catalog/catalog.service';
import { Centre, OpeningHours, Practitioner, Schedule, ScheduleException, Service } from '../../schema/catalog/catalog.types';
import { toCentre, toOpeningHours, toPractitioner, toScheduleException, toService } from './catalog.mappers';

/** Schedule fields that are rows of their own, batched per request: one statement per field whatever the list. */
@Resolver(() => Schedule)
export class ScheduleFieldsResolver {
  private readonly catalog: CatalogService;

  constructor(services: Services) {
    this.catalog = services.catalog;
  }

  @FieldResolver(() => Centre)
  async centre(@Root() schedule: Schedule, @Ctx() ctx: RequestContext): Promise<Centre> {
    return toCentre(await this.catalog.relations.centreOf(ctx, schedule));
  }

  // Answered from the row when the agenda's read embedded it (build-schema.ts); otherwise loaded.
  @Extensions({ [SERVED_BY_PAGE]: true })
  @FieldResolver(() => Practitioner, { nullable: true })
  async practitioner(@Root() schedule: Schedule, @Ctx() ctx: RequestContext): Promise<Practitioner | null> {
    const practitioner = await this.catalog.relations.practitionerOf(ctx, schedule);
    return practitioner ? toPractitioner(practitioner) : null;
  }

  @FieldResolver(() => [Service], { description: 'The services offered, by code.' })
  async services(@Root() schedule: Schedule, @Ctx() ctx: RequestContext): Promise<Service[]> {
    return (await this.catalog.relations.servicesOf(ctx, schedule.id)).map(toService);
  }

  @FieldResolver(() => [OpeningHours], { description: 'The weekly hours, by weekday, validity and start.' })
  async openingHours(@Root() schedule: Schedule, @Ctx() ctx: RequestContext): Promise<OpeningHours[]> {
    return (await this.catalog.relations.openingHoursOf(ctx, schedule.id)).map(toOpeningHours);
  }

  @FieldResolver(() => [ScheduleException], { description: 'Closures and extra hours, by start.' })
  async exceptions(@Root() schedule: Schedule, @Ctx() ctx: RequestContext): Promise<ScheduleException[]> {
    return (await this.catalog.relations.exceptionsOf(ctx, schedule.id)).map(toScheduleException);
  }
}
