import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { User } from '../user.entity.js';
import { UserType } from './user.type.js';

@Resolver()
export class MeResolver {
  @Query(() => UserType, { description: 'The signed-in user.' })
  async me(@Ctx() ctx: GraphQLContext): Promise<UserType> {
    const { userId } = await ctx.principal();
    return UserType.from(await ctx.em.findOneOrFail(User, userId));
  }
}
