import { Authorized, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../../platform/graphql/request-context';
import { Access } from '../../../platform/graphql/roles';
import { UsageMetric } from './usage-counter.entity';

@ObjectType('PlanUsage', { description: "This month's use of the plan's limits (months are UTC); a null limit is unlimited" })
export class PlanUsageType {
  @Field({ description: 'YYYY-MM' }) month: string;
  @Field(() => Int, { description: 'Outbound messages (sends and auto-replies) this month' }) outboundMessages: number;
  @Field(() => Int, { description: 'Most outbound messages per UTC month; null is unlimited', nullable: true }) maxMessagesPerMonth: number | null;
  @Field(() => Int, { description: 'Live contacts' }) contacts: number;
  @Field(() => Int, { description: 'Most live contacts the plan allows; null is unlimited', nullable: true }) maxContacts: number | null;
}

@Resolver()
export class PlanUsageResolver {
  @Authorized(Access.READ)
  @Query(() => PlanUsageType, { description: 'The organisation\'s plan limits and current usage' })
  async planUsage(@Ctx() ctx: RequestContext): Promise<PlanUsageType> {
    const [limits, manager] = await Promise.all([ctx.tenant().planLimits(), ctx.tenant().manager()]);
    const [row]: Array<{ month: string; outbound: number; contacts: number }> = await manager.query(
      `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
              COALESCE((SELECT used FROM usage_counters WHERE month = date_trunc('month', now() AT TIME ZONE 'UTC')::date AND metric = $1), 0) AS outbound,
              (SELECT count(*)::int FROM contacts WHERE deleted_at IS NULL) AS contacts`,
      [UsageMetric.OUTBOUND_MESSAGES],
    );
    return {
      month: row.month,
      outboundMessages: row.outbound,
      maxMessagesPerMonth: limits.maxMessagesPerMonth,
      contacts: row.contacts,
      maxContacts: limits.maxContacts,
    };
  }
}
