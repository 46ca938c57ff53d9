import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { LoginInput, RefreshInput, RegisterInput } from './auth.input.js';
import { AuthPayload, LoginResult, MfaChallenge } from './auth-payload.type.js';
import type { GraphQLContext } from './context.js';
import { toPayload, toSignInPayload } from './mappers.js';
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
    const outcome = await ctx.useCases.login(ctx, input);
    if ('challengeToken' in outcome) return Object.assign(new MfaChallenge(), outcome);
    return toSignInPayload(outcome);
  }

  @Mutation(() => AuthPayload, {
    description: 'Exchanges the refresh token for a new pair. The old refresh token stops working.',
  })
  async refresh(
    @Arg('input', () => RefreshInput, { description: 'The refresh token and its device.' })
    input: RefreshInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return toPayload(await ctx.useCases.refresh(ctx, input));
  }

  @Mutation(() => Boolean, { description: 'Signs out the current session; its tokens stop working at once.' })
  async logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.useCases.logout(ctx);
  }
}
