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
  @Query(() => AutoReplyRuleConnection, { description: 'The organisation\'s auto-reply rules, paginated' })
  autoReplyRules(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => AutoReplyRuleFilter, { description: 'Narrows the list; omitted means all', nullable: true }) filter: AutoReplyRuleFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<AutoReplyRule>> {
    return this.service.list(ctx, args, filter);
  }

  @Authorized(Access.READ)
  @Query(() => AutoReplyRuleType, { description: 'One auto-reply rule; null when there is no such rule', nullable: true })
  autoReplyRule(@Arg('id', () => ID, { description: 'The rule\'s ID' }) id: string, @Ctx() ctx: RequestContext): Promise<AutoReplyRule | null> {
    return this.service.get(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => AutoReplyRuleType, { description: 'Creates an auto-reply rule' })
  createAutoReplyRule(@Arg('input', () => CreateAutoReplyRuleInput, { description: 'The new rule' }) input: CreateAutoReplyRuleInput, @Ctx() ctx: RequestContext): Promise<AutoReplyRule> {
    return this.changed(ctx, this.service.create(ctx, input));
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => AutoReplyRuleType, { description: 'Updates an auto-reply rule; omitted fields keep their value' })
  updateAutoReplyRule(
    @Arg('id', () => ID, { description: 'The rule to update' }) id: string,
    @Arg('input', () => UpdateAutoReplyRuleInput, { description: 'The fields to change' }) input: UpdateAutoReplyRuleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AutoReplyRule> {
    return this.changed(ctx, this.service.update(ctx, id, input));
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean, { description: 'Deletes an auto-reply rule' })
  deleteAutoReplyRule(@Arg('id', () => ID, { description: 'The rule to delete' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.changed(ctx, this.service.delete(ctx, id));
  }
}
