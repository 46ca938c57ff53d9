import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../shared/clock.js';
import type { Principal } from '../principal.js';
import { Session, SessionRevocation } from '../session.entity.js';

/** Ends the session of the access token making the request. */
export function createLogoutSession(deps: { clock: Clock }) {
  return {
    async execute(em: EntityManager, principal: Principal): Promise<boolean> {
      const session = await em.findOneOrFail(Session, principal.sessionId);
      session.revoke(SessionRevocation.LOGOUT, deps.clock.now());
      await em.flush();
      return true;
    },
  };
}
