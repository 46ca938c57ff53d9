import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../../kernel/errors.js';
import { isUuid } from '../../../kernel/ids.js';
import { Passkey, parsePasskeyName } from '../../domain/passkey.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { passkeysOf } from '../passkey-ceremony.js';
import type { AssertRecentAuth } from '../recent-auth.js';
import type { RequestContext } from '../request-context.js';

/** One of the caller's passkeys; anyone else's is NOT_FOUND, like a missing one. */
async function ownPasskey(em: EntityManager, userId: string, id: string): Promise<Passkey> {
  const passkey = isUuid(id) ? await em.findOne(Passkey, { id, user: userId }) : null;
  if (!passkey) throw notFound('No such passkey');
  return passkey;
}

/** The caller's passkeys, oldest first. */
export function createListPasskeys() {
  return async function myPasskeys(ctx: RequestContext): Promise<Passkey[]> {
    const { userId } = await ctx.principal();
    return passkeysOf(ctx.em, userId);
  };
}

/** Renames one of the caller's passkeys (audited). */
export function createRenamePasskey(deps: { inTransaction: InTransaction }) {
  return async function renamePasskey(ctx: RequestContext, id: string, name: string): Promise<Passkey> {
    const { userId } = await ctx.principal();
    const newName = parsePasskeyName(name);
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, async (tx) => {
      const passkey = await ownPasskey(tx, userId, id);
      passkey.rename(newName);
      return passkey;
    });
  };
}

/**
 * Removes one of the caller's passkeys (audited): it no longer signs in. Needs a recent sign-in
 * or the password, like every factor change.
 */
export function createRemovePasskey(deps: {
  inTransaction: InTransaction;
  assertRecentAuth: AssertRecentAuth;
}) {
  return async function removePasskey(
    ctx: RequestContext,
    id: string,
    password?: string | null,
  ): Promise<boolean> {
    const { userId } = await ctx.principal();
    await deps.assertRecentAuth(ctx, password);
    await deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, async (tx, record) => {
      const passkey = await ownPasskey(tx, userId, id);
      // Recorded here, not by the entity: a deleted entity leaves the unit of work at the flush.
      record({ type: 'passkey.removed', subjectId: userId, data: { passkeyId: passkey.id } });
      tx.remove(passkey);
    });
    return true;
  };
}
