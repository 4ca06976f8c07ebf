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
  @Query(() => QuickReplyConnection)
  quickReplies(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => QuickReplyFilter, { nullable: true }) filter: QuickReplyFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<QuickReply>> {
    return this.service.list(ctx, args, filter);
  }

  @Authorized(Access.READ)
  @Query(() => QuickReplyType, { nullable: true })
  quickReply(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<QuickReply | null> {
    return this.service.get(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => QuickReplyType)
  createQuickReply(@Arg('input', () => CreateQuickReplyInput) input: CreateQuickReplyInput, @Ctx() ctx: RequestContext): Promise<QuickReply> {
    return this.service.create(ctx, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => QuickReplyType)
  updateQuickReply(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateQuickReplyInput) input: UpdateQuickReplyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<QuickReply> {
    return this.service.update(ctx, id, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean)
  deleteQuickReply(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.service.delete(ctx, id);
  }
}
