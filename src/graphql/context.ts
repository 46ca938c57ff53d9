import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal, RequestMeta } from '../identity/principal.js';
import type { Services } from '../services.js';
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
