import { Ctx, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import type { AccountView } from '../application/account-view.js';
import { lockoutInForce, shownStatus } from '../domain/account-status.js';
import { Blockchain, MfaMethod, Role, UserStatus } from '../domain/enums.js';
import type { GraphQLContext } from './context.js';
import './enums.type.js';

@ObjectType('Wallet', { description: 'A crypto wallet linked to the account.' })
export class WalletType {
  @Field({ description: 'The address, in its canonical form (EIP-55 checksummed for Ethereum).' })
  address!: string;

  @Field(() => Blockchain, { description: 'The chain the address belongs to.' })
  blockchain!: Blockchain;
}

@ObjectType('User', { description: 'An account holder, as the account holder or an admin may see it.' })
export class UserType {
  @Field(() => ID, { description: 'Stable identifier of the user.' })
  id!: string;

  @Field({ description: 'Unique (case-insensitively) public handle.' })
  username!: string;

  @Field({ description: 'Email address, lower-cased.' })
  email!: string;

  @Field({ description: 'Whether the owner proved the address by following a link sent to it.' })
  emailVerified!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'A new address asked for and not yet confirmed by the link sent to it.',
  })
  pendingEmail!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Phone number in E.164 form (Namibian numbers: +264…).',
  })
  phone!: string | null;

  @Field(() => Role, { description: 'What the user may do.' })
  role!: Role;

  /** The account behind the type, for the fields that depend on the time of the request. */
  account!: AccountView;

  @Field(() => WalletType, { nullable: true, description: 'The linked crypto wallet, if any.' })
  wallet!: WalletType | null;

  @Field({ description: 'Whether signing in needs a second factor.' })
  mfaEnabled!: boolean;

  @Field(() => [MfaMethod], { description: 'The second factors the user can sign in with.' })
  mfaMethods!: MfaMethod[];

  @Field(() => Date, { nullable: true, description: 'When the user last signed in.' })
  lastLoginAt!: Date | null;

  @Field({ description: 'When the account was created.' })
  createdAt!: Date;

  @Field({ description: 'When the account was last changed.' })
  updatedAt!: Date;

  static from(user: AccountView): UserType {
    return Object.assign(new UserType(), {
      id: user.id,
      username: user.username,
      email: user.email,
      emailVerified: user.emailVerified,
      pendingEmail: user.pendingEmail ?? null,
      phone: user.phone ?? null,
      role: user.role,
      account: user,
      wallet:
        user.walletAddress && user.walletBlockchain
          ? Object.assign(new WalletType(), {
              address: user.walletAddress,
              blockchain: user.walletBlockchain,
            })
          : null,
      mfaEnabled: user.mfaEnabled,
      mfaMethods: user.mfaMethods,
      lastLoginAt: user.lastLoginAt ?? null,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    });
  }
}

/** The fields of a user that depend on when they are read: a temporary lockout ends by itself. */
@Resolver(() => UserType)
export class UserFieldsResolver {
  @FieldResolver(() => UserStatus, {
    description:
      'Whether the account can be used. LOCKED after an admin locked it, and also while a temporary lockout after failed sign-ins is in force (see lockedUntil).',
  })
  status(@Root() user: UserType, @Ctx() ctx: GraphQLContext): UserStatus {
    return shownStatus(user.account, ctx.clock.now());
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description:
      'When the temporary lockout after failed sign-ins ends, while one is in force; null otherwise. unlockUser ends it at once.',
  })
  lockedUntil(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Date | null {
    return lockoutInForce(user.account, ctx.clock.now()) ?? null;
  }
}
