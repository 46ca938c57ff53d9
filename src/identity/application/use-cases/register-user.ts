import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../../adapters/crypto/password-hasher.js';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import { conflict } from '../../../kernel/errors.js';
import { Email } from '../../domain/email.js';
import { EmailTokenPurpose } from '../../domain/email-token.entity.js';
import type { Blockchain } from '../../domain/enums.js';
import { checkPassword } from '../../domain/password-policy.js';
import { parseContactFields } from '../../domain/profile-fields.js';
import { User } from '../../domain/user.entity.js';
import { parseUsername } from '../../domain/username.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { usernameTaken } from '../../persistence/user-lookup.js';
import type { SendLink } from '../email-links.js';
import type { RequestContext } from '../request-context.js';

export interface RegisterUserInput {
  username: string;
  email: string;
  password: string;
  phone?: string | null;
  walletAddress?: string | null;
  walletBlockchain?: Blockchain | null;
}

/**
 * The part of a registration that comes before its transaction, and the account it makes inside
 * one: validation, the address's budget, the bcrypt hash, then (in the caller's transaction) the
 * uniqueness checks and the new User, persisted. Registration alone and a sign-up that signs in
 * share it.
 */
export function createRegistration(deps: {
  hasher: PasswordHasher;
  clock: Clock;
  limits: RateLimits;
  passwordMinLength: number;
  sendLink: SendLink;
}) {
  return async function prepare(
    ctx: RequestContext,
    input: RegisterUserInput,
  ): Promise<(tx: EntityManager) => Promise<User>> {
    const username = parseUsername(input.username);
    const email = Email.parse(input.email);
    checkPassword(input.password, {
      minLength: deps.passwordMinLength,
      context: { username, email: email.value },
    });
    const { phone, wallet } = parseContactFields(input);
    // The address's budget is spent only by a request that passed validation (a refused weak
    // password costs nothing), and before the bcrypt work and the transaction, which it guards.
    await deps.limits.registration(ctx.meta.ip);
    const passwordHash = await deps.hasher.hash(input.password);

    // A concurrent registration of the same email or username fails at commit
    // on the unique index and is reported as CONFLICT at the edge.
    return async (tx) => {
      // An address another account is waiting to confirm counts as taken too.
      if ((await tx.count(User, { $or: [{ email: email.value }, { pendingEmail: email.value }] })) > 0)
        throw conflict('email', 'Email is already registered');
      if (await usernameTaken(tx, username)) throw conflict('username', 'Username is taken');
      if (
        wallet &&
        (await tx.count(User, { walletAddress: wallet.address, walletBlockchain: wallet.blockchain })) > 0
      ) {
        throw conflict('walletAddress', 'Wallet is already linked to another account');
      }
      const user = new User({ username, email: email.value, passwordHash, phone, now: deps.clock.now() });
      user.setWallet(wallet?.address, wallet?.blockchain);
      tx.persist(user);
      await deps.sendLink(tx, user, EmailTokenPurpose.VERIFY_EMAIL, user.email);
      return user;
    };
  };
}

export type PrepareRegistration = ReturnType<typeof createRegistration>;

/** Creates an account; signing in is a separate `login`. */
export function createRegisterUser(deps: { prepare: PrepareRegistration; inTransaction: InTransaction }) {
  return async function register(ctx: RequestContext, input: RegisterUserInput): Promise<User> {
    const create = await deps.prepare(ctx, input);
    return deps.inTransaction(ctx.em, { meta: ctx.meta }, create);
  };
}
