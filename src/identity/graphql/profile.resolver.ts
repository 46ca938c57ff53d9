import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GraphQLContext } from './context.js';
import { UpdateProfileInput } from './profile.input.js';
import { UserType } from './user.type.js';

@Resolver()
export class ProfileResolver {
  @Mutation(() => UserType, { description: 'Changes your username, phone or wallet.' })
  async updateProfile(
    @Arg('input', () => UpdateProfileInput, { description: 'The changes.' }) input: UpdateProfileInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return UserType.from(await ctx.useCases.updateProfile(ctx, input));
  }

  @Mutation(() => Boolean, { description: 'Changes your password and signs out your other devices.' })
  async changePassword(
    @Arg('currentPassword', { description: 'Your password now.' }) currentPassword: string,
    @Arg('newPassword', { description: 'The new password (see the password policy).' }) newPassword: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.changePassword(ctx, { currentPassword, newPassword });
  }

  @Mutation(() => Boolean, {
    description:
      'Deletes your account: personal data is erased, every session ends, it can never sign in again.',
  })
  async deleteAccount(
    @Arg('password', { description: 'Your password, to confirm.' }) password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.deleteAccount(ctx, password);
  }
}
