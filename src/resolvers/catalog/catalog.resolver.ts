import { Resolver } from 'type-graphql';
import type { Services } from '../../services';

@Resolver()
export class CatalogResolver {
  constructor(private readonly services: Services) {}
}
