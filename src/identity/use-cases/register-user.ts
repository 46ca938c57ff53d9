import type { EntityManager } from '@mikro-orm/postgresql';
import type { InTransaction } from '../../audit/unit-of-work.js';
import type { PasswordHasher } from '../../security/password-hasher.js';
import type { RateLimits } from '../../security/rate-limits.js';
import type { Clock } from '../../shared/clock.js';
import { Email } from '../../shared/email.js';
import { conflict } from '../../shared/errors.js';
import type { Blockchain } from '../enums.js';
import { checkPassword } from '../password-policy.js';
import type { RequestMeta } from '../principal.js';
import { parseContactFields } from '../profile-fields.js';
import { User } from '../user.entity.js';
import { usernameTaken } from '../user-lookup.js';
import { parseUsername } from '../username.js';

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
  return {
    async execute(em: EntityManager, input: RegisterUserInput, meta: RequestMeta): Promise<User> {
      await deps.limits.registration(meta.ip);
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
      return deps.inTransaction(em, { meta }, async (tx) => {
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
    },
  };
}
