import type { PasswordHasher } from '../../../adapters/crypto/password-hasher.js';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import { conflict } from '../../../kernel/errors.js';
import { Email } from '../../domain/email.js';
import type { Blockchain } from '../../domain/enums.js';
import { checkPassword } from '../../domain/password-policy.js';
import { parseContactFields } from '../../domain/profile-fields.js';
import { User } from '../../domain/user.entity.js';
import { parseUsername } from '../../domain/username.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { usernameTaken } from '../../persistence/user-lookup.js';
import type { RequestContext } from '../request-context.js';

export interface RegisterUserInput {
  username: string;
  email: string;
  password: string;
  phone?: string | null;
  walletAddress?: string | null;
  walletBlockchain?: Blockchain | null;
}

export function createRegisterUser(deps: {
  hasher: PasswordHasher;
  clock: Clock;
  limits: RateLimits;
  inTransaction: InTransaction;
  passwordMinLength: number;
}) {
  return async function register(ctx: RequestContext, input: RegisterUserInput): Promise<User> {
    await deps.limits.registration(ctx.meta.ip);
    const username = parseUsername(input.username);
    const email = Email.parse(input.email);
    checkPassword(input.password, {
      minLength: deps.passwordMinLength,
      context: { username, email: email.value },
    });
    const { phone, wallet } = parseContactFields(input);
    const passwordHash = await deps.hasher.hash(input.password);

    // A concurrent registration of the same email or username fails at commit
    // on the unique index and is reported as CONFLICT at the edge.
    return deps.inTransaction(ctx.em, { meta: ctx.meta }, async (tx) => {
      if ((await tx.count(User, { email: email.value })) > 0)
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
      return user;
    });
  };
}
