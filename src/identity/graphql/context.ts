import type { UseCases } from '../application/identity-application.js';
import type { Loaders } from '../application/loaders.js';
import type { RequestContext } from '../application/request-context.js';

/** Per request: the request context every use case takes, the use cases, and batch loaders. */
export interface GraphQLContext extends RequestContext {
  useCases: UseCases;
  loaders: Loaders;
}
