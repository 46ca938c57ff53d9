import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from './context.js';
import { UserType } from './user.type.js';

@Resolver()
export class MeResolver {
  @Query(() => UserType, { description: 'The signed-in user.' })
  async me(@Ctx() ctx: GraphQLContext): Promise<UserType> {
    // The account authentication read: no second query, and while the session is cached on this
    // instance no mapping either (see account-view.ts).
    return UserType.from(await ctx.currentAccount());
  }
}
