import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { UnauthenticatedReason, unauthenticated } from '../../kernel/errors.js';
import { LoginInput, RefreshInput, RegisterInput, SignUpInput } from './auth.input.js';
import { AuthPayload, LoginResult, MfaChallenge } from './auth-payload.type.js';
import type { GraphQLContext } from './context.js';
import { toPayload } from './mappers.js';
import { UserType } from './user.type.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => UserType, { description: 'Creates an account. Sign in with `login` afterwards.' })
  async register(
    @Arg('input', () => RegisterInput, { description: 'The new account.' }) input: RegisterInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return UserType.from(await ctx.useCases.register(ctx, input));
  }

  @Mutation(() => LoginResult, {
    description: 'Signs in on a device: a session, or an MFA challenge when the account has a second factor.',
  })
  async login(
    @Arg('input', () => LoginInput, { description: 'Credentials and device.' }) input: LoginInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<typeof LoginResult> {
    const outcome = await ctx.useCases.login(ctx, {
      ...input,
      deviceTrustToken: input.deviceTrustToken ?? ctx.tokens.deviceTrustToken,
    });
    if ('challengeToken' in outcome) return Object.assign(new MfaChallenge(), outcome);
    return toPayload(ctx, outcome);
  }

  @Mutation(() => AuthPayload, {
    description:
      'Creates an account and signs it in on this device, in one request: the session of `login`, for a new account.',
  })
  async signUp(
    @Arg('input', () => SignUpInput, { description: 'The new account and the device.' }) input: SignUpInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return toPayload(ctx, await ctx.useCases.signUp(ctx, input));
  }

  @Mutation(() => AuthPayload, {
    description: 'Exchanges the refresh token for a new pair. The old refresh token stops working.',
  })
  async refresh(
    @Arg('input', () => RefreshInput, { description: 'The refresh token and its device.' })
    input: RefreshInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    const fromCookie = !input.refreshToken;
    const refreshToken = input.refreshToken || ctx.tokens.refreshToken;
    if (!refreshToken) throw unauthenticated('Refresh token is missing', UnauthenticatedReason.TOKEN_INVALID);
    const issued = await ctx.useCases.refresh(ctx, { refreshToken, deviceId: input.deviceId });
    // A token that came from a cookie goes back into one, never into a body page script reads.
    return toPayload(ctx, issued, { cookies: fromCookie });
  }

  @Mutation(() => Boolean, {
    description:
      'Signs out the current session; its tokens stop working at once. Takes the access token, or the refresh-token cookie alone; clears the token cookies either way.',
  })
  async logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    const refreshToken = ctx.tokens.refreshToken;
    try {
      return await ctx.useCases.logout(ctx, { refreshToken });
    } finally {
      if (refreshToken || ctx.tokens.cookies) ctx.tokens.clear();
    }
  }
}
