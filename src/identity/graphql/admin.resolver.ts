import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { PAGE_SIZE_DEFAULT, parsePage } from '../../kernel/pagination.js';
import { Role } from '../domain/enums.js';
import type { AdminAction } from '../domain/user-administration.js';
import { UserFilterInput, UserPage } from './admin.type.js';
import type { GraphQLContext } from './context.js';
import { UserType } from './user.type.js';

const idArg = { description: 'The user id.' };
const reasonArg = { nullable: true, description: 'Why; kept in the audit trail.' };

@Resolver()
export class AdminResolver {
  @Query(() => UserType, { nullable: true, description: 'A user by id. ADMIN only.' })
  async user(@Arg('id', () => ID, idArg) id: string, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    return UserType.from(await ctx.useCases.getUser(ctx, id));
  }

  @Query(() => UserPage, { description: 'Users, newest first, filtered and paginated. ADMIN only.' })
  async users(
    @Arg('page', () => Int, { defaultValue: 1, description: 'Page number, from 1.' }) page: number,
    @Arg('pageSize', () => Int, { defaultValue: PAGE_SIZE_DEFAULT, description: 'Users per page, 1–100.' })
    pageSize: number,
    @Arg('filter', () => UserFilterInput, { nullable: true, description: 'Conditions on the users.' })
    filter: UserFilterInput | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserPage> {
    const result = await ctx.useCases.listUsers(ctx, filter ?? {}, parsePage(page, pageSize));
    return Object.assign(new UserPage(), { ...result, items: result.items.map(UserType.from) });
  }

  @Mutation(() => UserType, {
    description: 'Locks an account until unlocked; signs it out everywhere. ADMIN only.',
  })
  lockUser(
    @Arg('id', () => ID, idArg) id: string,
    @Arg('reason', () => String, reasonArg) reason: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return this.apply(ctx, id, { kind: 'lock', reason });
  }

  @Mutation(() => UserType, { description: 'Unlocks an account and clears its failed sign-ins. ADMIN only.' })
  unlockUser(@Arg('id', () => ID, idArg) id: string, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    return this.apply(ctx, id, { kind: 'unlock' });
  }

  @Mutation(() => UserType, { description: 'Suspends an account; signs it out everywhere. ADMIN only.' })
  suspendUser(
    @Arg('id', () => ID, idArg) id: string,
    @Arg('reason', () => String, reasonArg) reason: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return this.apply(ctx, id, { kind: 'suspend', reason });
  }

  @Mutation(() => UserType, { description: 'Lifts a suspension. ADMIN only.' })
  reactivateUser(@Arg('id', () => ID, idArg) id: string, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    return this.apply(ctx, id, { kind: 'reactivate' });
  }

  @Mutation(() => UserType, { description: 'Makes a user an ADMIN or a USER. ADMIN only.' })
  setUserRole(
    @Arg('id', () => ID, idArg) id: string,
    @Arg('role', () => Role, { description: 'The new role.' }) role: Role,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return this.apply(ctx, id, { kind: 'setRole', role });
  }

  private async apply(ctx: GraphQLContext, id: string, action: AdminAction): Promise<UserType> {
    return UserType.from(await ctx.useCases.administerUser(ctx, id, action));
  }
}
