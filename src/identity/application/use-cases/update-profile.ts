import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict } from '../../../kernel/errors.js';
import { Email } from '../../domain/email.js';
import { EmailTokenPurpose } from '../../domain/email-token.entity.js';
import { parseNamibianPhone } from '../../domain/phone-number.js';
import type { Principal } from '../../domain/principal.js';
import { User } from '../../domain/user.entity.js';
import { parseUsername } from '../../domain/username.js';
import { type Blockchain, parseWalletAddress } from '../../domain/wallet-address.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { usernameTaken } from '../../persistence/user-lookup.js';
import type { SendLink } from '../email-links.js';
import type { MailMessages } from '../mail-messages.js';
import type { Outbox } from '../outbox.js';
import type { RequestContext } from '../request-context.js';

/** An omitted field stays as it is; `null` removes the phone or the wallet. */
export interface UpdateProfileInput {
  username?: string | null;
  /** Becomes the pending address until a link sent to it is followed. */
  email?: string | null;
  phone?: string | null;
  walletAddress?: string | null;
  walletBlockchain?: Blockchain | null;
}

export function createUpdateProfile(deps: {
  inTransaction: InTransaction;
  sendLink: SendLink;
  outbox: Outbox;
  messages: MailMessages;
}) {
  return async function updateProfile(ctx: RequestContext, input: UpdateProfileInput): Promise<User> {
    const principal = await ctx.principal();
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: principal.userId }, (tx) =>
      apply(tx, principal, input, deps),
    );
  };
}

async function apply(
  em: EntityManager,
  principal: Principal,
  input: UpdateProfileInput,
  deps: { sendLink: SendLink; outbox: Outbox; messages: MailMessages },
): Promise<User> {
  const user = await em.findOneOrFail(User, principal.userId);
  const changed = Object.entries(input)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => (k === 'walletBlockchain' ? 'walletAddress' : k));
  if (input.username !== undefined) {
    if (input.username === null) throw badInput('username', 'Username cannot be removed');
    const username = parseUsername(input.username);
    if (await usernameTaken(em, username, user.id)) throw conflict('username', 'Username is taken');
    user.rename(username);
  }
  if (input.email !== undefined) {
    if (input.email === null) throw badInput('email', 'Email cannot be removed');
    const email = Email.parse(input.email).value;
    if (email !== user.email) {
      // Pending addresses count too: no two accounts may wait for the same one.
      const taken = await em.count(User, { $or: [{ email }, { pendingEmail: email }], id: { $ne: user.id } });
      if (taken > 0) throw conflict('email', 'Email is already registered');
      user.requestEmailChange(email);
      await deps.sendLink(em, user, EmailTokenPurpose.CHANGE_EMAIL, email);
      await deps.outbox.mail(em, deps.messages.emailChangeRequested(user.email, email));
    }
  }
  if (input.phone !== undefined) {
    // SMS sign-in codes go to this phone: it cannot change under them.
    if (user.smsMfaEnabled) throw badInput('phone', 'Turn off SMS sign-in codes before changing the phone');
    user.phone = input.phone === null ? undefined : parseNamibianPhone(input.phone);
    user.phoneVerifiedAt = undefined;
  }
  if (input.walletAddress === null) {
    user.setWallet(undefined, undefined);
  } else if (input.walletAddress !== undefined) {
    const chain = input.walletBlockchain ?? user.walletBlockchain;
    if (!chain) throw badInput('walletBlockchain', 'Say which blockchain the wallet address is on');
    const address = parseWalletAddress(input.walletAddress, chain);
    const taken = await em.count(User, {
      walletAddress: address,
      walletBlockchain: chain,
      id: { $ne: user.id },
    });
    if (taken > 0) throw conflict('walletAddress', 'Wallet is already linked to another account');
    user.setWallet(address, chain);
  } else if (input.walletBlockchain) {
    throw badInput('walletAddress', 'A wallet address is needed with walletBlockchain');
  }
  user.recordProfileChange([...new Set(changed)]);
  return user;
}
