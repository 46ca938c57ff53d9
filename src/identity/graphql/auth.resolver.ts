import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IssuedSession } from '../application/session-tokens.js';
import type { LoginOutcome } from '../application/use-cases/login-user.js';
import { LoginInput, RefreshInput, RegisterInput } from './auth.input.js';
import { AuthPayload, LoginResult, MfaChallenge } from './auth-payload.type.js';
import type { GraphQLContext } from './context.js';
import { SessionType } from './session.type.js';
import { UserType } from './user.type.js';

export const toPayload = (issued: IssuedSession): AuthPayload =>
  Object.assign(new AuthPayload(), {
    accessToken: issued.accessToken,
    accessTokenExpiresAt: issued.accessTokenExpiresAt,
    refreshToken: issued.refreshToken,
    refreshTokenExpiresAt: issued.refreshTokenExpiresAt,
    user: UserType.from(issued.user),
    session: SessionType.from(issued.session, issued.session.id),
  });

export const toPayloadWithTrust = (outcome: LoginOutcome): AuthPayload =>
  Object.assign(toPayload(outcome), { deviceTrustToken: outcome.deviceTrustToken });

@Resolver()
export class AuthResolver {
  @Mutation(() => UserType, { description: 'Creates an account. Sign in with `login` afterwards.' })
  async register(
    @Arg('input', () => RegisterInput, { description: 'The new account.' }) input: RegisterInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return UserType.from(await ctx.services.registerUser.execute(ctx.em, input, ctx.meta));
  }

  @Mutation(() => LoginResult, {
    description: 'Signs in on a device: a session, or an MFA challenge when the account has a second factor.',
  })
  async login(
    @Arg('input', () => LoginInput, { description: 'Credentials and device.' }) input: LoginInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<typeof LoginResult> {
    const outcome = await ctx.services.loginUser.execute(ctx.em, input, ctx.meta);
    if ('challengeToken' in outcome) return Object.assign(new MfaChallenge(), outcome);
    return toPayloadWithTrust(outcome);
  }

  @Mutation(() => AuthPayload, {
    description: 'Exchanges the refresh token for a new pair. The old refresh token stops working.',
  })
  async refresh(
    @Arg('input', () => RefreshInput, { description: 'The refresh token and its device.' })
    input: RefreshInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return toPayload(await ctx.services.refreshSession.execute(ctx.em, input, ctx.meta));
  }

  @Mutation(() => Boolean, { description: 'Signs out the current session; its tokens stop working at once.' })
  async logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.revokeSessions.current(ctx.em, await ctx.principal(), ctx.meta);
  }
}
