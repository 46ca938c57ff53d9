import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../composition-root.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import type { Loaders } from './loaders.js';

/** Per-request state: a fresh unit of work, the services, and the caller once authenticated. */
export interface GraphQLContext {
  em: EntityManager;
  services: Services;
  meta: RequestMeta;
  loaders: Loaders;
  /** Authenticates the bearer token on first call (UNAUTHENTICATED if absent or invalid); memoised. */
  principal(): Promise<Principal>;
}
