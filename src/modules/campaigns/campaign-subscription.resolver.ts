import { Arg, Authorized, ID, Resolver, Root, Subscription } from 'type-graphql';
import { Access } from '../../platform/graphql/roles';
import type { TenantEvent } from '../../platform/realtime/tenant-events';
import { tenantEvents } from '../inbox/inbox.module';
import { CAMPAIGN_UPDATED, campaignFromEvent } from './campaign-progress';
import { CampaignType } from './campaign.types';

/** Live campaign status and progress (pushed by the campaign-progress event consumer). */
@Resolver()
export class CampaignSubscriptionResolver {
  @Authorized(Access.READ)
  @Subscription(() => CampaignType, {
    description: 'Campaigns whose status or progress (stats) changed; only one campaign when `id` is given',
    subscribe: tenantEvents((args) => ({
      types: [CAMPAIGN_UPDATED],
      accept: typeof args.id === 'string' ? (event: TenantEvent) => event.payload.id === args.id : undefined,
    })),
  })
  campaignUpdated(@Root() event: TenantEvent, @Arg('id', () => ID, { nullable: true }) _id?: string): CampaignType {
    return campaignFromEvent(event);
  }
}
