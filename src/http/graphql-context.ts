import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request, Response } from 'express';
import type { Orm } from '../adapters/database/orm.js';
import type { Authenticate } from '../identity/application/authenticate.js';
import type { UseCases } from '../identity/application/identity-application.js';
import { createLoaders, type Loaders } from '../identity/application/loaders.js';
import type { Authenticated } from '../identity/application/request-context.js';
import type { RequestMeta } from '../identity/domain/principal.js';
import type { GraphQLContext, TokenTransport } from '../identity/graphql/context.js';
import type { Clock } from '../kernel/clock.js';
import type { RequestScopeStorage } from '../kernel/logger.js';
import { tokenTransport } from './token-cookies.js';

export interface GraphQLContextDeps {
  orm: Orm;
  scope: RequestScopeStorage;
  useCases: UseCases;
  authenticate: Authenticate;
  clock: Clock;
}

/**
 * One GraphQL request's context. The unit of work, its loaders and the caller are made on first
 * use, so a document that reads no entity (`__typename`, a failed validation, `me` answered from
 * the cache of live sessions) costs no fork. They are accessors and methods of the class, never
 * own properties: Apollo hands resolvers a copy of the context made with Object.assign, which
 * would read every own getter, and so fork, for every request.
 */
export class EdgeGraphQLContext implements GraphQLContext {
  readonly useCases: UseCases;
  readonly clock: Clock;
  readonly tokens: TokenTransport;
  readonly meta: RequestMeta;
  private unitOfWork: EntityManager | undefined;
  private batchLoaders: Loaders | undefined;
  private authenticated: Promise<Authenticated> | undefined;

  constructor(
    private readonly deps: GraphQLContextDeps,
    private readonly req: Request,
    res: Response,
  ) {
    this.useCases = deps.useCases;
    this.clock = deps.clock;
    this.tokens = tokenTransport(req, res, { now: () => deps.clock.now() });
    this.meta = {
      requestId: deps.scope.getStore()?.requestId ?? '',
      ip: req.ip ?? '',
      userAgent: req.get('user-agent'),
    };
  }

  get em(): EntityManager {
    this.unitOfWork ??= this.deps.orm.em.fork();
    return this.unitOfWork;
  }

  get loaders(): Loaders {
    this.batchLoaders ??= createLoaders(this.em);
    return this.batchLoaders;
  }

  principal() {
    return this.caller().then((a) => a.principal);
  }

  currentUser() {
    return this.caller().then((a) => a.user());
  }

  currentAccount() {
    return this.caller().then((a) => a.account());
  }

  /** Never the request, the dependencies or the caller: only where the request came from. */
  toJSON() {
    return { meta: this.meta };
  }

  private caller(): Promise<Authenticated> {
    this.authenticated ??= this.deps
      .authenticate(() => this.em, {
        authorization: this.req.get('authorization'),
        deviceId: this.req.get('x-device-id'),
      })
      .then((a) => {
        const store = this.deps.scope.getStore();
        if (store) store.userId = a.principal.userId;
        return a;
      });
    return this.authenticated;
  }
}
