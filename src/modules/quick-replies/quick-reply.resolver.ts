import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { QuickReply } from './quick-reply.entity';
import { QuickReplyService } from './quick-reply.service';
import { CreateQuickReplyInput, QuickReplyConnection, QuickReplyFilter, QuickReplyType, UpdateQuickReplyInput } from './quick-reply.types';

/** Everyone reads quick replies (agents use them); managers maintain them. */
@Resolver(() => QuickReplyType)
export class QuickReplyResolver {
  private readonly service = new QuickReplyService();

  @Authorized(Access.READ)
  @Query(() => QuickReplyConnection, { description: 'The organisation\'s quick replies, paginated' })
  quickReplies(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => QuickReplyFilter, { description: 'Narrows the list; omitted means all', nullable: true }) filter: QuickReplyFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<QuickReply>> {
    return this.service.list(ctx, args, filter);
  }

  @Authorized(Access.READ)
  @Query(() => QuickReplyType, { description: 'One quick reply; null when there is no such quick reply', nullable: true })
  quickReply(@Arg('id', () => ID, { description: 'The quick reply\'s ID' }) id: string, @Ctx() ctx: RequestContext): Promise<QuickReply | null> {
    return this.service.get(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => QuickReplyType, { description: 'Creates a quick reply (a saved message text)' })
  createQuickReply(@Arg('input', () => CreateQuickReplyInput, { description: 'The new quick reply' }) input: CreateQuickReplyInput, @Ctx() ctx: RequestContext): Promise<QuickReply> {
    return this.service.create(ctx, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => QuickReplyType, { description: 'Updates a quick reply; omitted fields keep their value' })
  updateQuickReply(
    @Arg('id', () => ID, { description: 'The quick reply to update' }) id: string,
    @Arg('input', () => UpdateQuickReplyInput, { description: 'The fields to change' }) input: UpdateQuickReplyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<QuickReply> {
    return this.service.update(ctx, id, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean, { description: 'Deletes a quick reply' })
  deleteQuickReply(@Arg('id', () => ID, { description: 'The quick reply to delete' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.service.delete(ctx, id);
  }
}
