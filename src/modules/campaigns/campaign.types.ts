import { ArrayMaxSize, IsEnum, IsOptional, IsUUID, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';
import { DocumentType } from '../documents/documents.module';
import { CampaignRecipientStatus } from './campaign-recipient.entity';
import { CampaignStatus } from './campaign.entity';

registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  description:
    'DRAFT → SCHEDULED → SENDING ⇄ PAUSED → COMPLETED; CANCELLED before completion. Editable while DRAFT or SCHEDULED (the pace until it is over)',
  valuesConfig: { DRAFT: { description: 'Being prepared; not scheduled' }, SCHEDULED: { description: 'Waiting for scheduledAt' }, SENDING: { description: 'Sending to its recipients' }, COMPLETED: { description: 'Every recipient was processed' }, CANCELLED: { description: 'Stopped for good before completion' }, PAUSED: { description: 'Stopped by a person, a disconnected channel or the plan limit (`pausedReason`); resumeCampaign goes on' } },
});
registerEnumType(CampaignRecipientStatus, {
  name: 'CampaignRecipientStatus',
  description: "Where one recipient's campaign messages are",
  valuesConfig: {
    PENDING: { description: 'Not claimed by the sender yet' },
    QUEUED: { description: 'Claimed: its messages are stored and in the durable send queue' },
    SENT: { description: 'WhatsApp accepted the messages' },
    DELIVERED: { description: "Delivered to the customer's phone" },
    READ: { description: 'Read by the customer' },
    REPLIED: { description: 'The customer wrote back after the campaign reached them' },
    FAILED: { description: 'Could not be sent (the reason is in `error`)' },
    SKIPPED: { description: 'Not sent: opted out, deleted, or no WhatsApp address (the reason is in `error`)' },
  },
});

export const MAX_CAMPAIGN_MESSAGES = 10;
export const MAX_AUDIENCE_IDS = 1000;

@ObjectType('Campaign', { description: 'A bulk send to many contacts' })
export class CampaignType {
  @Field(() => ID, { description: 'The campaign\'s ID' }) id: string;
  @Field({ description: 'Display name' }) name: string;
  @Field(() => CampaignStatus, { description: 'Where the campaign is in its lifecycle' }) status: CampaignStatus;
  @Field(() => ID, { nullable: true, description: 'The channel to send from' }) sessionId: string | null;
  @Field(() => Date, { description: 'When sending is scheduled to start; null when not scheduled', nullable: true }) scheduledAt: Date | null;
  @Field(() => Date, { description: 'When sending started; null until then', nullable: true }) startedAt: Date | null;
  @Field(() => Date, { description: 'When sending finished; null until then', nullable: true }) completedAt: Date | null;
  @Field(() => ID, { description: 'The user who created it; null when not created by a user (e.g. an API key)', nullable: true }) createdByUserId: string | null;
  @Field(() => Int, { description: 'Size of the audience when recipients were last set' }) recipientsTotal: number;
  @Field(() => Int, { nullable: true, description: "The campaign's pace; the channel's rate (shared by its campaigns) caps it. Null: the channel's rate" })
  messagesPerMinute: number | null;
  @Field(() => String, { nullable: true, description: 'Why the campaign is PAUSED' }) pausedReason: string | null;
  @Field({ description: 'When the campaign was created' }) createdAt: Date;
  @Field({ description: 'When the campaign last changed' }) updatedAt: Date;
}

export const CampaignConnection = ConnectionType(CampaignType);

@ObjectType('CampaignMessage', { description: 'One part of the sequence each recipient gets, in position order' })
export class CampaignMessageType {
  @Field(() => ID, { description: 'The message\'s ID' }) id: string;
  @Field(() => Int, { description: 'Order in which the campaign\'s messages are sent, from 0' }) position: number;
  @Field(() => String, { nullable: true, description: 'Text, or the caption of the document' }) body: string | null;
  @Field(() => ID, { description: 'ID of the attached document; null when there is none', nullable: true }) documentId: string | null;
  // Resolved in CampaignMessageResolver through a DataLoader.
  @Field(() => DocumentType, { description: 'The attached document; null when there is none', nullable: true }) document?: DocumentType | null;
}

@ObjectType('CampaignRecipient', { description: 'One contact a campaign sends to, with its delivery state' })
export class CampaignRecipientType {
  @Field(() => ID, { description: 'The recipient\'s ID' }) id: string;
  @Field(() => ID, { description: 'The contact' }) contactId: string;
  @Field(() => CampaignRecipientStatus, { description: 'Delivery state for this contact' }) status: CampaignRecipientStatus;
  @Field(() => ID, { nullable: true, description: 'The message sent to this recipient, once sent' }) messageId: string | null;
  @Field(() => String, { description: 'Why sending failed; null unless it failed', nullable: true }) error: string | null;
  @Field({ description: 'When the contact was added to the campaign' }) createdAt: Date;
  @Field({ description: 'When the state last changed' }) updatedAt: Date;
}

export const CampaignRecipientConnection = ConnectionType(CampaignRecipientType);

@ObjectType('CampaignStats', { description: 'Recipients per status, kept current from acks and replies' })
export class CampaignStatsType {
  @Field(() => Int, { description: 'All recipients' }) total: number;
  @Field(() => Int, { description: 'Not claimed by the sender yet' }) pending: number;
  @Field(() => Int, { description: 'In the send queue' }) queued: number;
  @Field(() => Int, { description: 'Recipients whose messages were sent' }) sent: number;
  @Field(() => Int, { description: 'Recipients whose messages were delivered' }) delivered: number;
  @Field(() => Int, { description: 'Recipients who read the messages' }) read: number;
  @Field(() => Int, { description: 'Wrote back after the campaign reached them' }) replied: number;
  @Field(() => Int, { description: 'Recipients whose sending failed' }) failed: number;
  @Field(() => Int, { description: 'Not sent: opted out, deleted or without a WhatsApp address' }) skipped: number;
}

@ObjectType('CampaignMessagePreview', { description: 'A message of the sequence as one contact would get it' })
export class CampaignMessagePreviewType {
  @Field(() => Int, { description: 'Place in the sequence, from 0' }) position: number;
  @Field(() => String, { nullable: true, description: 'The text with its placeholders filled in for this contact' }) body: string | null;
  @Field(() => ID, { nullable: true, description: 'The document sent with it, if any' }) documentId: string | null;
}

@InputType({ description: 'One message of a campaign' })
export class CampaignMessageInput {
  @Field(() => String, { description: 'Message text, 1-4096 characters; may be null when a document is attached', nullable: true }) @IsOptional() @Length(1, 4096) body?: string | null;
  @Field(() => ID, { nullable: true, description: 'An uploaded document to send, with body as its caption' })
  @IsOptional()
  @IsUUID()
  documentId?: string | null;
}

@InputType({ description: 'A new campaign, created as DRAFT' })
export class CreateCampaignInput {
  @Field({ description: 'Display name, 1-200 characters' }) @Length(1, 200) name: string;
  @Field(() => ID, { description: 'The channel to send through', nullable: true }) @IsOptional() @IsUUID() sessionId?: string | null;
  @Field(() => Int, { nullable: true, description: 'Messages a minute; capped by the channel' }) @IsOptional() @Min(1) @Max(60_000) messagesPerMinute?: number | null;
  @Field(() => [CampaignMessageInput], { description: 'The messages to send, in order, at most 10; default none', defaultValue: [] }) @ArrayMaxSize(MAX_CAMPAIGN_MESSAGES) @ValidateNested() messages: CampaignMessageInput[];
}

@InputType({ description: 'Only the fields given change; messages, when given, replace the whole sequence' })
export class UpdateCampaignInput {
  @Field({ description: 'Display name, 1-200 characters', nullable: true }) @IsOptional() @Length(1, 200) name?: string;
  @Field(() => ID, { description: 'The channel to send through', nullable: true }) @IsOptional() @IsUUID() sessionId?: string | null;
  @Field(() => Int, { nullable: true, description: 'Messages a minute; capped by the channel. May change while SENDING or PAUSED' })
  @IsOptional()
  @Min(1)
  @Max(60_000)
  messagesPerMinute?: number | null;
  @Field(() => [CampaignMessageInput], { description: 'Replaces the messages, in order, at most 10', nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_CAMPAIGN_MESSAGES)
  @ValidateNested()
  messages?: CampaignMessageInput[];
}

@InputType({ description: 'Narrows the campaigns; omitted fields do not filter' })
export class CampaignFilter {
  @Field(() => CampaignStatus, { description: 'Only campaigns in this status', nullable: true }) @IsOptional() @IsEnum(CampaignStatus) status?: CampaignStatus;
  @Field({ nullable: true, description: 'Part of the name, case-insensitive' }) @IsOptional() @MaxLength(100) search?: string;
}

@InputType({ description: 'Narrows a campaign\'s recipients; omitted fields do not filter' })
export class CampaignRecipientFilter {
  @Field(() => CampaignRecipientStatus, { description: 'Only recipients in this state', nullable: true }) @IsOptional() @IsEnum(CampaignRecipientStatus) status?: CampaignRecipientStatus;
}

@InputType({ description: 'The audience: the union of these contacts, group members and labelled contacts' })
export class SetCampaignRecipientsInput {
  @Field(() => [ID], { description: 'Contacts to include, at most 1000; default none', defaultValue: [] }) @ArrayMaxSize(MAX_AUDIENCE_IDS) @IsUUID(undefined, { each: true }) contactIds: string[];
  @Field(() => [ID], { description: 'Groups whose contacts to include, at most 1000; default none', defaultValue: [] }) @ArrayMaxSize(MAX_AUDIENCE_IDS) @IsUUID(undefined, { each: true }) groupIds: string[];
  @Field(() => [ID], { description: 'Labels whose contacts to include, at most 1000; default none', defaultValue: [] }) @ArrayMaxSize(MAX_AUDIENCE_IDS) @IsUUID(undefined, { each: true }) labelIds: string[];
}

@ObjectType('CampaignAudienceExclusion', { description: 'Contacts of the chosen audience that would not be sent to' })
export class CampaignAudienceExclusionType {
  @Field({ description: 'OPTED_OUT, DELETED or NO_WHATSAPP_ADDRESS' }) reason: string;
  @Field(() => Int, { description: 'Contacts left out for this reason' }) count: number;
}

@ObjectType('CampaignAudience', { description: 'What an audience choice comes to' })
export class CampaignAudienceType {
  @Field(() => Int, { description: 'Distinct contacts chosen' }) chosen: number;
  @Field(() => Int, { description: 'Those a campaign would send to' }) eligible: number;
  @Field(() => [CampaignAudienceExclusionType], { description: 'Those left out, by reason' }) excluded: CampaignAudienceExclusionType[];
}
