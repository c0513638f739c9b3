import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import type { CatalogService } from '../../services/catalog/catalog.service';
import { Centre, Schedule } from '../../schema/catalog/catalog.types';
import { toSchedule } from './catalog.mappers';

/** Centre fields that are rows of their own, batched per request. */
@Resolver(() => Centre)
export class CentreFieldsResolver {
  private readonly catalog: CatalogService;

  constructor(services: Services) {
    this.catalog = services.catalog;
  }

  /** Staff only: a partner reaches a centre through its flow, never the centre's whole agenda set-up. */
  @Authorized()
  @FieldResolver(() => [Schedule], { description: 'Every schedule of the centre, active or not, by name (staff).' })
  async schedules(@Root() centre: Centre, @Ctx() ctx: RequestContext): Promise<Schedule[]> {
    return (await this.catalog.relations.schedulesOf(ctx, centre.id)).map(toSchedule);
  }
}
