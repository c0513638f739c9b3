import type { CatalogService } from './catalog/catalog.service';
import type { Authenticator } from './identity/authenticator';
import type { TokensService } from './identity/tokens.service';
import type { UsersService } from './identity/users.service';

/** Every service, built once by the composition root (server.ts) and handed to resolvers. */
export interface Services {
  authenticator: Authenticator;
  users: UsersService;
  tokens: TokensService;
  catalog: CatalogService;
}
