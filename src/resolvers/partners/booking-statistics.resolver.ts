import { Resolver } from 'type-graphql';
import type { Services } from '../../services';

@Resolver()
export class BookingStatisticsResolver {
  constructor(private readonly services: Services) {}
}
