import type { AppModule } from '../../platform/app-module';
import { CampaignMessage } from './campaign-message.entity';
import { CampaignRecipient } from './campaign-recipient.entity';
import { Campaign } from './campaign.entity';
import { CampaignMessageResolver, CampaignResolver } from './campaign.resolver';

/** Campaigns, their message parts, then their recipients. */
export const campaignsEntities = [Campaign, CampaignMessage, CampaignRecipient];

/** Broadcasts to groups or labelled contacts over one channel. */
export function createCampaignsModule(): AppModule {
  return {
    name: 'campaigns',
    resolvers: [new CampaignResolver(), new CampaignMessageResolver()],
    routes: [],
    jobs: [],
    eventConsumers: [],
  };
}
