import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { AutoReplyRule } from './auto-reply-rule.entity';
import { AutoReplyRuleService } from './auto-reply-rule.service';
import type { AutoReplies } from './auto-reply.service';
import {
  AutoReplyRuleConnection,
  AutoReplyRuleFilter,
  AutoReplyRuleType,
  CreateAutoReplyRuleInput,
  UpdateAutoReplyRuleInput,
} from './auto-reply-rule.types';

@Resolver(() => AutoReplyRuleType)
export class AutoReplyRuleResolver {
  private readonly service = new AutoReplyRuleService();

  constructor(private readonly autoReplies: Pick<AutoReplies, 'invalidate'>) {}

  /** The inbound path caches rules; a change applies at once on this instance (others: within the cache TTL). */
  private async changed<T>(ctx: RequestContext, result: Promise<T>): Promise<T> {
    const value = await result;
    this.autoReplies.invalidate(ctx.tenant().tenantId);
    return value;
  }

  @Authorized(Access.READ)
  @Query(() => AutoReplyRuleConnection)
  autoReplyRules(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => AutoReplyRuleFilter, { nullable: true }) filter: AutoReplyRuleFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<AutoReplyRule>> {
    return this.service.list(ctx, args, filter);
  }

  @Authorized(Access.READ)
  @Query(() => AutoReplyRuleType, { nullable: true })
  autoReplyRule(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<AutoReplyRule | null> {
    return this.service.get(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => AutoReplyRuleType)
  createAutoReplyRule(@Arg('input', () => CreateAutoReplyRuleInput) input: CreateAutoReplyRuleInput, @Ctx() ctx: RequestContext): Promise<AutoReplyRule> {
    return this.changed(ctx, this.service.create(ctx, input));
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => AutoReplyRuleType)
  updateAutoReplyRule(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateAutoReplyRuleInput) input: UpdateAutoReplyRuleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AutoReplyRule> {
    return this.changed(ctx, this.service.update(ctx, id, input));
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean)
  deleteAutoReplyRule(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.changed(ctx, this.service.delete(ctx, id));
  }
}
