import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs, pageSize, toConnection, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import { documentById, DocumentType, type Document } from '../documents/documents.module';
import { ContactType, type Contact } from '../contacts/contacts.module';
import type { CampaignMessage } from './campaign-message.entity';
import type { Campaign } from './campaign.entity';
import { campaignMessagesByCampaignId, campaignRecipientPages, campaignStatsByCampaignId, type RecipientRow } from './campaign.loaders';
import { CampaignService } from './campaign.service';
import {
  CampaignConnection,
  CampaignFilter,
  CampaignAudienceType,
  CampaignMessagePreviewType,
  CampaignMessageType,
  CampaignRecipientConnection,
  CampaignRecipientFilter,
  CampaignStatsType,
  CampaignType,
  CreateCampaignInput,
  SetCampaignRecipientsInput,
  UpdateCampaignInput,
} from './campaign.types';

/** Everyone reads campaigns; managers define, schedule and cancel them. */
@Resolver(() => CampaignType)
export class CampaignResolver {
  constructor(private readonly service: CampaignService) {}

  @Authorized(Access.READ)
  @Query(() => CampaignConnection, { description: 'Newest first; deleted campaigns are not listed' })
  campaigns(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => CampaignFilter, { description: 'Narrows the list; omitted means all', nullable: true }) filter: CampaignFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Campaign>> {
    return this.service.list(ctx, args, filter);
  }

  @Authorized(Access.READ)
  @Query(() => CampaignType, { description: 'One campaign; null when there is no such campaign', nullable: true })
  campaign(@Arg('id', () => ID, { description: 'The campaign\'s ID' }) id: string, @Ctx() ctx: RequestContext): Promise<Campaign | null> {
    return this.service.get(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => CampaignType, { description: 'A DRAFT campaign' })
  createCampaign(@Arg('input', () => CreateCampaignInput, { description: 'The new campaign' }) input: CreateCampaignInput, @Ctx() ctx: RequestContext): Promise<Campaign> {
    return this.service.create(ctx, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => CampaignType, { description: 'Only while DRAFT or SCHEDULED' })
  updateCampaign(
    @Arg('id', () => ID, { description: 'The campaign to update' }) id: string,
    @Arg('input', () => UpdateCampaignInput, { description: 'The fields to change' }) input: UpdateCampaignInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Campaign> {
    return this.service.update(ctx, id, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean, { description: 'Soft delete; refused while SENDING, and a SCHEDULED campaign is cancelled' })
  deleteCampaign(@Arg('id', () => ID, { description: 'The campaign to delete' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.service.delete(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => CampaignType, {
    description: 'Replaces the audience with the distinct live, not opted-out contacts chosen directly, by group and by label. Only while DRAFT or SCHEDULED',
  })
  setCampaignRecipients(
    @Arg('campaignId', () => ID, { description: 'The campaign whose recipients to set' }) campaignId: string,
    @Arg('input', () => SetCampaignRecipientsInput, { description: 'The contacts and/or groups that receive the campaign' }) input: SetCampaignRecipientsInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Campaign> {
    return this.service.setRecipients(ctx, campaignId, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => CampaignType, { description: 'DRAFT or SCHEDULED → SCHEDULED at a future time; needs messages and recipients' })
  scheduleCampaign(@Arg('id', () => ID, { description: 'The campaign to schedule' }) id: string, @Arg('scheduledAt', () => Date, { description: 'When sending starts' }) scheduledAt: Date, @Ctx() ctx: RequestContext): Promise<Campaign> {
    return this.service.schedule(ctx, id, scheduledAt);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => CampaignType, { description: 'DRAFT, SCHEDULED, SENDING or PAUSED → CANCELLED; messages already in the send queue still go out' })
  cancelCampaign(@Arg('id', () => ID, { description: 'The campaign to cancel' }) id: string, @Ctx() ctx: RequestContext): Promise<Campaign> {
    return this.service.cancel(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => CampaignType, { description: 'DRAFT or SCHEDULED → SENDING now; needs a channel, messages and recipients' })
  startCampaign(@Arg('id', () => ID, { description: 'The campaign' }) id: string, @Ctx() ctx: RequestContext): Promise<Campaign> {
    return this.service.start(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => CampaignType, { description: 'SENDING → PAUSED; messages already in the send queue still go out' })
  pauseCampaign(@Arg('id', () => ID, { description: 'The campaign' }) id: string, @Ctx() ctx: RequestContext): Promise<Campaign> {
    return this.service.pause(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => CampaignType, { description: 'PAUSED → SENDING (also re-attaches a sender to a SENDING campaign)' })
  resumeCampaign(@Arg('id', () => ID, { description: 'The campaign' }) id: string, @Ctx() ctx: RequestContext): Promise<Campaign> {
    return this.service.resume(ctx, id);
  }

  @Authorized(Access.READ)
  @Query(() => CampaignAudienceType, { description: 'How many of this audience a campaign would reach, and how many are left out and why' })
  campaignAudience(@Arg('input', () => SetCampaignRecipientsInput, { description: 'The audience to count' }) input: SetCampaignRecipientsInput, @Ctx() ctx: RequestContext): Promise<CampaignAudienceType> {
    return this.service.audience(ctx, input);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ContactType, { description: 'No more campaigns for this contact (a person can still write to them)' })
  optOutContact(@Arg('contactId', () => ID, { description: 'The contact' }) contactId: string, @Ctx() ctx: RequestContext): Promise<Contact> {
    return this.service.setOptOut(ctx, contactId, true);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactType, { description: 'Campaigns may reach this contact again' })
  optInContact(@Arg('contactId', () => ID, { description: 'The contact' }) contactId: string, @Ctx() ctx: RequestContext): Promise<Contact> {
    return this.service.setOptOut(ctx, contactId, false);
  }

  @Authorized(Access.READ)
  @Query(() => [CampaignMessagePreviewType], { description: 'The messages as this contact would get them ({{name}}, {{phone}}, {{business}}, fallbacks)' })
  previewCampaign(
    @Arg('id', () => ID, { description: 'The campaign' }) id: string,
    @Arg('contactId', () => ID, { description: 'The contact to personalise for' }) contactId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CampaignMessagePreviewType[]> {
    return this.service.preview(ctx, id, contactId);
  }

  @FieldResolver(() => [CampaignMessageType], { description: 'The sequence each recipient gets, in order' })
  async messages(@Root() campaign: Campaign, @Ctx() ctx: RequestContext): Promise<CampaignMessage[]> {
    return (await campaignMessagesByCampaignId(ctx)).load(campaign.id);
  }

  @FieldResolver(() => CampaignStatsType, { description: 'Recipient counts by delivery state' })
  async stats(@Root() campaign: Campaign, @Ctx() ctx: RequestContext): Promise<CampaignStatsType> {
    return (await campaignStatsByCampaignId(ctx)).load(campaign.id);
  }

  @FieldResolver(() => CampaignRecipientConnection, { description: 'The contacts the campaign sends to, with their delivery state, paginated' })
  async recipients(
    @Root() campaign: Campaign,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => CampaignRecipientFilter, { nullable: true, description: 'Narrows the recipients; omitted means all' }) filter: CampaignRecipientFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<RecipientRow>> {
    const first = pageSize(args);
    const rows = await (await campaignRecipientPages(ctx, { first, after: args.after, status: filter?.status })).load(campaign.id);
    // The count comes from the batched per-status stats, not from a COUNT per campaign.
    const totalCount = async () => {
      const stats = await (await campaignStatsByCampaignId(ctx)).load(campaign.id);
      return filter?.status ? stats[filter.status.toLowerCase() as keyof CampaignStatsType] : stats.total;
    };
    return toConnection(rows, first, (row) => [row.cursorCreatedAt, row.id], totalCount, undefined, { afterCursor: Boolean(args.after) });
  }
}

@Resolver(() => CampaignMessageType)
export class CampaignMessageResolver {
  @FieldResolver(() => DocumentType, { nullable: true })
  async document(@Root() message: CampaignMessage, @Ctx() ctx: RequestContext): Promise<Document | null> {
    return message.documentId ? (await documentById(ctx)).load(message.documentId) : null;
  }
}
