import type { AppModule } from '../../platform/app-module';
import type { EventDispatcher } from '../../platform/events/event-dispatcher';
import type { JobQueue } from '../../platform/jobs/job-queue';
import type { Logger } from '../../platform/logger';
import type { TenantEventBus } from '../../platform/realtime/tenant-events';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import type { OutboundQueue } from '../whatsapp/whatsapp.module';
import { CampaignMessage } from './campaign-message.entity';
import { campaignProgressConsumer } from './campaign-progress';
import { optOutConsumer } from './campaign-opt-outs';
import { CampaignRecipient } from './campaign-recipient.entity';
import { CAMPAIGN_SEND_QUEUE, CampaignSender, type ChannelLimits } from './campaign-sender';
import { CampaignSubscriptionResolver } from './campaign-subscription.resolver';
import { Campaign } from './campaign.entity';
import { CampaignMessageResolver, CampaignResolver } from './campaign.resolver';
import { CampaignService } from './campaign.service';
import { ChannelSendPace } from './channel-send-pace.entity';

/** Campaigns, their message parts, then their recipients; the pace of each channel. */
export const campaignsEntities = [Campaign, CampaignMessage, CampaignRecipient, ChannelSendPace];

/** Broadcasts to groups or labelled contacts over one channel, sent through the durable outbound queue. */
export function createCampaignsModule(deps: {
  router: TenantRouter;
  jobs: JobQueue;
  outbound: OutboundQueue;
  dispatcher: Pick<EventDispatcher, 'dispatch'>;
  events: TenantEventBus;
  log: Logger;
  limits: ChannelLimits;
  jobExpireSeconds: number;
  concurrency: number;
}): AppModule {
  const log = deps.log.child({ component: 'campaigns' });
  const sender = new CampaignSender({ ...deps, log });
  const service = new CampaignService({ sender });
  const progress = campaignProgressConsumer({ router: deps.router, bus: deps.events, log });
  return {
    name: 'campaigns',
    resolvers: [new CampaignResolver(service), new CampaignMessageResolver(), new CampaignSubscriptionResolver()],
    routes: [],
    jobs: [
      {
        queue: { name: CAMPAIGN_SEND_QUEUE, retryLimit: 20, retryDelaySeconds: 2, retryBackoff: true, expireInSeconds: deps.jobExpireSeconds },
        work: () => sender.start(deps.concurrency),
      },
    ],
    eventConsumers: [
      progress,
      optOutConsumer({ router: deps.router, outbound: deps.outbound, dispatcher: deps.dispatcher, log }),
    ],
    stop: async () => {
      sender.stop();
      progress.stop();
    },
  };
}
