import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal, RequestMeta } from '../domain/principal.js';
import type { User } from '../domain/user.entity.js';
import type { AccountView } from './account-view.js';

/**
 * What every use case is given: built once per request by the edge. Nothing here is read
 * before it is asked for, so a request that needs no database costs no unit of work.
 */
export interface RequestContext {
  /** This request's unit of work (its own fork of the entity manager). */
  readonly em: EntityManager;
  /** Who asked and from where: for rate limits and the audit trail. */
  readonly meta: RequestMeta;
  /** The caller, from the bearer access token and a live session; UNAUTHENTICATED otherwise. */
  principal(): Promise<Principal>;
  /** The caller's account as authentication read it (without its password hash and secrets). */
  currentUser(): Promise<User>;
  /** The caller's account to show, read-only: no entity, possibly shared with other requests. */
  currentAccount(): Promise<AccountView>;
}

/** The result of authenticating a request: who, and their account (each made on first call). */
export interface Authenticated {
  principal: Principal;
  /** The account, mapped into the request's unit of work. */
  user(): User;
  /** The account to show (see account-view.ts). */
  account(): AccountView;
}
