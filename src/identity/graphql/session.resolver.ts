import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from './context.js';
import { SessionType } from './session.type.js';

@Resolver()
export class SessionResolver {
  @Query(() => [SessionType], {
    description: 'The live sessions (signed-in devices) of the caller, most recently used first.',
  })
  async mySessions(@Ctx() ctx: GraphQLContext): Promise<SessionType[]> {
    const sessions = await ctx.useCases.mySessions(ctx);
    const { sessionId } = await ctx.principal();
    return sessions.map((s) => SessionType.from(s, sessionId));
  }

  @Mutation(() => Boolean, { description: 'Signs out one of your devices. Its tokens stop working at once.' })
  async revokeSession(
    @Arg('id', () => ID, { description: 'The session id, from `mySessions`.' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.revokeSession(ctx, id);
  }

  @Mutation(() => Int, { description: 'Signs out every device; returns how many sessions were revoked.' })
  async revokeAllSessions(
    @Arg('keepCurrent', () => Boolean, {
      defaultValue: false,
      description: 'Keep the session making this request signed in.',
    })
    keepCurrent: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<number> {
    return ctx.useCases.revokeAllSessions(ctx, keepCurrent);
  }
}
