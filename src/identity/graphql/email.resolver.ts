import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GraphQLContext } from './context.js';

@Resolver()
export class EmailResolver {
  @Mutation(() => Boolean, {
    description:
      'Sends your address a new verification link (3 an hour). Nothing is sent once it is verified.',
  })
  requestEmailVerification(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.useCases.requestEmailVerification(ctx);
  }

  @Mutation(() => Boolean, {
    description:
      'Follows a link sent by email: verifies the address, or confirms a pending new address. A used, expired or unknown token is BAD_USER_INPUT on `token`.',
  })
  verifyEmail(
    @Arg('token', { description: 'The `token` parameter of the link.' }) token: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.verifyEmail(ctx, token);
  }

  @Mutation(() => Boolean, {
    description:
      'Sends a password-reset link (30 minutes, single use) to the account with this address, if there is one. Always true, for known and unknown addresses alike.',
  })
  requestPasswordReset(
    @Arg('email', { description: 'The address of the account.' }) email: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.requestPasswordReset(ctx, email);
  }

  @Mutation(() => Boolean, {
    description:
      'Sets a new password with a reset link: every session ends, a temporary lockout is lifted, and you are told by email.',
  })
  resetPassword(
    @Arg('token', { description: 'The `token` parameter of the reset link.' }) token: string,
    @Arg('newPassword', { description: 'The new password (see the password policy).' }) newPassword: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.resetPassword(ctx, { token, newPassword });
  }
}
