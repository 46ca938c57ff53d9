import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { LoginResult, MfaChallenge } from './auth-payload.type.js';
import type { GraphQLContext } from './context.js';
import { toPayload } from './mappers.js';
import { UserType } from './user.type.js';
import { LinkWalletInput, WalletChallengeInput, WalletLoginInput } from './wallet.input.js';
import { WalletChallenge } from './wallet.type.js';

@Resolver()
export class WalletResolver {
  @Mutation(() => WalletChallenge, {
    description:
      'A message for the wallet to sign, for `linkWallet` or `loginWithWallet`: single use, valid 5 minutes. No sign-in needed.',
  })
  async walletChallenge(
    @Arg('input', () => WalletChallengeInput, { description: 'The wallet.' }) input: WalletChallengeInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WalletChallenge> {
    return Object.assign(new WalletChallenge(), await ctx.useCases.walletChallenge(ctx, input));
  }

  @Mutation(() => UserType, {
    description:
      'Links the wallet that signed a challenge to your account (the profile wallet), so it can sign in. Needs a recent sign-in or the password.',
  })
  async linkWallet(
    @Arg('input', () => LinkWalletInput, { description: 'The signed challenge.' }) input: LinkWalletInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return UserType.from(await ctx.useCases.linkWallet(ctx, input));
  }

  @Mutation(() => LoginResult, {
    description:
      'Signs in with a signed challenge on a device: a session, or an MFA challenge when the account has a second factor.',
  })
  async loginWithWallet(
    @Arg('input', () => WalletLoginInput, { description: 'The signed challenge and the device.' })
    input: WalletLoginInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<typeof LoginResult> {
    const outcome = await ctx.useCases.loginWithWallet(ctx, {
      ...input,
      deviceTrustToken: input.deviceTrustToken ?? ctx.tokens.deviceTrustToken,
    });
    if ('challengeToken' in outcome) return Object.assign(new MfaChallenge(), outcome);
    return toPayload(ctx, outcome);
  }
}
