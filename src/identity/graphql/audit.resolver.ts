import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { PAGE_SIZE_DEFAULT, parsePage } from '../../kernel/pagination.js';
import { AuditEntryPage, AuditEntryType, AuditFilterInput, AuditVerificationType } from './audit.type.js';
import type { GraphQLContext } from './context.js';
import { UserType } from './user.type.js';

@Resolver(() => AuditEntryType)
export class AuditResolver {
  @Query(() => AuditEntryPage, {
    description: 'The audit log, newest first, filtered and paginated. ADMIN only.',
  })
  async auditLog(
    @Arg('page', () => Int, { defaultValue: 1, description: 'Page number, from 1.' }) page: number,
    @Arg('pageSize', () => Int, { defaultValue: PAGE_SIZE_DEFAULT, description: 'Entries per page, 1–100.' })
    pageSize: number,
    @Arg('filter', () => AuditFilterInput, { nullable: true, description: 'Conditions on the entries.' })
    filter: AuditFilterInput | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuditEntryPage> {
    const result = await ctx.useCases.listAuditLog(ctx, filter ?? {}, parsePage(page, pageSize));
    const items = result.items.map((e) =>
      Object.assign(new AuditEntryType(), {
        id: e.id,
        sequence: Number(e.sequence),
        type: e.type,
        occurredAt: e.occurredAt,
        data: e.data,
        hash: e.hash,
        actorId: e.actorId,
        subjectId: e.subjectId,
      }),
    );
    return Object.assign(new AuditEntryPage(), { ...result, items });
  }

  @Query(() => AuditVerificationType, {
    description: 'Links the entries waiting to be linked, then recomputes the whole audit chain. ADMIN only.',
  })
  async verifyAuditLog(@Ctx() ctx: GraphQLContext): Promise<AuditVerificationType> {
    const { valid, entriesChecked, firstBrokenSequence, entriesPending } =
      await ctx.useCases.verifyAuditLog(ctx);
    return Object.assign(new AuditVerificationType(), {
      valid,
      entriesChecked,
      firstBrokenSequence: firstBrokenSequence ?? null,
      entriesPending,
    });
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'Who did it.' })
  async actor(@Root() entry: AuditEntryType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    const user = entry.actorId ? await ctx.loaders.user.load(entry.actorId) : undefined;
    return user ? UserType.from(user) : null;
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'Whom it is about.' })
  async subject(@Root() entry: AuditEntryType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    const user = entry.subjectId ? await ctx.loaders.user.load(entry.subjectId) : undefined;
    return user ? UserType.from(user) : null;
  }
}
