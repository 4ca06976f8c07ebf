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
});
registerEnumType(CampaignRecipientStatus, { name: 'CampaignRecipientStatus' });

export const MAX_CAMPAIGN_MESSAGES = 10;
export const MAX_AUDIENCE_IDS = 1000;

@ObjectType('Campaign', { description: 'A bulk send to many contacts' })
export class CampaignType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => CampaignStatus) status: CampaignStatus;
  @Field(() => ID, { nullable: true, description: 'The channel to send from' }) sessionId: string | null;
  @Field(() => Date, { nullable: true }) scheduledAt: Date | null;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) completedAt: Date | null;
  @Field(() => ID, { nullable: true }) createdByUserId: string | null;
  @Field(() => Int, { description: 'Size of the audience when recipients were last set' }) recipientsTotal: number;
  @Field(() => Int, { nullable: true, description: "The campaign's pace; the channel's rate (shared by its campaigns) caps it. Null: the channel's rate" })
  messagesPerMinute: number | null;
  @Field(() => String, { nullable: true, description: 'Why the campaign is PAUSED' }) pausedReason: string | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

export const CampaignConnection = ConnectionType(CampaignType);

@ObjectType('CampaignMessage', { description: 'One part of the sequence each recipient gets, in position order' })
export class CampaignMessageType {
  @Field(() => ID) id: string;
  @Field(() => Int) position: number;
  @Field(() => String, { nullable: true, description: 'Text, or the caption of the document' }) body: string | null;
  @Field(() => ID, { nullable: true }) documentId: string | null;
  // Resolved in CampaignMessageResolver through a DataLoader.
  @Field(() => DocumentType, { nullable: true }) document?: DocumentType | null;
}

@ObjectType('CampaignRecipient')
export class CampaignRecipientType {
  @Field(() => ID) id: string;
  @Field(() => ID) contactId: string;
  @Field(() => CampaignRecipientStatus) status: CampaignRecipientStatus;
  @Field(() => ID, { nullable: true, description: 'The message sent to this recipient, once sent' }) messageId: string | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

export const CampaignRecipientConnection = ConnectionType(CampaignRecipientType);

@ObjectType('CampaignStats', { description: 'Recipients per status, kept current from acks and replies' })
export class CampaignStatsType {
  @Field(() => Int) total: number;
  @Field(() => Int, { description: 'Not claimed by the sender yet' }) pending: number;
  @Field(() => Int, { description: 'In the send queue' }) queued: number;
  @Field(() => Int) sent: number;
  @Field(() => Int) delivered: number;
  @Field(() => Int) read: number;
  @Field(() => Int, { description: 'Wrote back after the campaign reached them' }) replied: number;
  @Field(() => Int) failed: number;
  @Field(() => Int, { description: 'Not sent: opted out, deleted or without a WhatsApp address' }) skipped: number;
}

@ObjectType('CampaignMessagePreview', { description: 'A message of the sequence as one contact would get it' })
export class CampaignMessagePreviewType {
  @Field(() => Int) position: number;
  @Field(() => String, { nullable: true }) body: string | null;
  @Field(() => ID, { nullable: true }) documentId: string | null;
}

@InputType()
export class CampaignMessageInput {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 4096) body?: string | null;
  @Field(() => ID, { nullable: true, description: 'An uploaded document to send, with body as its caption' })
  @IsOptional()
  @IsUUID()
  documentId?: string | null;
}

@InputType()
export class CreateCampaignInput {
  @Field() @Length(1, 200) name: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() sessionId?: string | null;
  @Field(() => Int, { nullable: true, description: 'Messages a minute; capped by the channel' }) @IsOptional() @Min(1) @Max(60_000) messagesPerMinute?: number | null;
  @Field(() => [CampaignMessageInput], { defaultValue: [] }) @ArrayMaxSize(MAX_CAMPAIGN_MESSAGES) @ValidateNested() messages: CampaignMessageInput[];
}

@InputType({ description: 'Only the fields given change; messages, when given, replace the whole sequence' })
export class UpdateCampaignInput {
  @Field({ nullable: true }) @IsOptional() @Length(1, 200) name?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() sessionId?: string | null;
  @Field(() => Int, { nullable: true, description: 'Messages a minute; capped by the channel. May change while SENDING or PAUSED' })
  @IsOptional()
  @Min(1)
  @Max(60_000)
  messagesPerMinute?: number | null;
  @Field(() => [CampaignMessageInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_CAMPAIGN_MESSAGES)
  @ValidateNested()
  messages?: CampaignMessageInput[];
}

@InputType()
export class CampaignFilter {
  @Field(() => CampaignStatus, { nullable: true }) @IsOptional() @IsEnum(CampaignStatus) status?: CampaignStatus;
  @Field({ nullable: true, description: 'Part of the name, case-insensitive' }) @IsOptional() @MaxLength(100) search?: string;
}

@InputType()
export class CampaignRecipientFilter {
  @Field(() => CampaignRecipientStatus, { nullable: true }) @IsOptional() @IsEnum(CampaignRecipientStatus) status?: CampaignRecipientStatus;
}

@InputType({ description: 'The audience: the union of these contacts, group members and labelled contacts' })
export class SetCampaignRecipientsInput {
  @Field(() => [ID], { defaultValue: [] }) @ArrayMaxSize(MAX_AUDIENCE_IDS) @IsUUID(undefined, { each: true }) contactIds: string[];
  @Field(() => [ID], { defaultValue: [] }) @ArrayMaxSize(MAX_AUDIENCE_IDS) @IsUUID(undefined, { each: true }) groupIds: string[];
  @Field(() => [ID], { defaultValue: [] }) @ArrayMaxSize(MAX_AUDIENCE_IDS) @IsUUID(undefined, { each: true }) labelIds: string[];
}

@ObjectType('CampaignAudienceExclusion', { description: 'Contacts of the chosen audience that would not be sent to' })
export class CampaignAudienceExclusionType {
  @Field({ description: 'OPTED_OUT, DELETED or NO_WHATSAPP_ADDRESS' }) reason: string;
  @Field(() => Int) count: number;
}

@ObjectType('CampaignAudience', { description: 'What an audience choice comes to' })
export class CampaignAudienceType {
  @Field(() => Int, { description: 'Distinct contacts chosen' }) chosen: number;
  @Field(() => Int, { description: 'Those a campaign would send to' }) eligible: number;
  @Field(() => [CampaignAudienceExclusionType]) excluded: CampaignAudienceExclusionType[];
}
