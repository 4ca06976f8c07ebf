import { IsBoolean, IsEnum, IsInt, IsOptional, IsUUID, Length, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';
import { AutoReplyTrigger } from './auto-reply-rule.entity';

registerEnumType(AutoReplyTrigger, { name: 'AutoReplyTrigger', valuesConfig: { KEYWORD: { description: 'The inbound text contains the pattern\'s word or phrase' }, REGEX: { description: 'The inbound text matches the pattern\'s regular expression' }, OUTSIDE_BUSINESS_HOURS: { description: 'A message arrives outside the channel\'s business hours' } }, description: 'What makes an auto-reply rule fire' });

/** A week: long enough for "once per conversation" rules, short enough to stay meaningful. */
export const MAX_COOLDOWN_MINUTES = 7 * 24 * 60;

@ObjectType('AutoReplyRule', { description: 'Answers an inbound message automatically; the highest priority matching active rule wins' })
export class AutoReplyRuleType {
  @Field(() => ID, { description: 'The rule\'s ID' }) id: string;
  @Field({ description: 'Display name' }) name: string;
  @Field(() => AutoReplyTrigger, { description: 'What makes the rule reply' }) trigger: AutoReplyTrigger;
  @Field(() => String, { nullable: true, description: 'Keyword or regular expression; null for OUTSIDE_BUSINESS_HOURS' })
  pattern: string | null;
  @Field({ description: 'The text sent as the reply' }) replyBody: string;
  @Field({ description: 'Whether the rule currently replies' }) isActive: boolean;
  @Field(() => Int, { description: 'Minutes before the rule may reply again in the same conversation' }) cooldownMinutes: number;
  @Field(() => Int, { description: 'Higher priority rules are tried first' }) priority: number;
  @Field(() => ID, { nullable: true, description: 'The channel this rule is limited to; null for every channel' })
  sessionId: string | null;
  @Field({ description: 'When the rule was created' }) createdAt: Date;
  @Field({ description: 'When the rule last changed' }) updatedAt: Date;
}

export const AutoReplyRuleConnection = ConnectionType(AutoReplyRuleType);

@InputType({ description: 'A new auto-reply rule' })
export class CreateAutoReplyRuleInput {
  @Field({ description: 'Display name, 1-100 characters' }) @Length(1, 100) name: string;
  @Field(() => AutoReplyTrigger, { description: 'What makes the rule reply' }) @IsEnum(AutoReplyTrigger) trigger: AutoReplyTrigger;
  @Field(() => String, {
    nullable: true,
    description: 'KEYWORD: a word or phrase (case-insensitive, whole words). REGEX: a bounded regular expression (flags iu). Omit for OUTSIDE_BUSINESS_HOURS',
  })
  @IsOptional()
  pattern?: string | null;
  @Field({ description: 'The reply text, 1-4096 characters' }) @Length(1, 4096) replyBody: string;
  @Field({ description: 'Whether the rule replies from the start; default true', defaultValue: true }) @IsBoolean() isActive: boolean;
  @Field(() => Int, { defaultValue: 60, description: `Minutes before the rule fires again in the same conversation, 0-${MAX_COOLDOWN_MINUTES}` })
  @IsInt()
  @Min(0)
  @Max(MAX_COOLDOWN_MINUTES)
  cooldownMinutes: number;
  @Field(() => Int, { description: '-1000 to 1000, higher tried first; default 0', defaultValue: 0 }) @IsInt() @Min(-1000) @Max(1000) priority: number;
  @Field(() => ID, { description: 'Limit the rule to this channel; null applies it to all channels', nullable: true }) @IsOptional() @IsUUID() sessionId?: string | null;
}

@InputType({ description: 'Only the fields given change; sessionId: null makes the rule apply to every channel' })
export class UpdateAutoReplyRuleInput {
  @Field({ description: 'Display name, 1-100 characters', nullable: true }) @IsOptional() @Length(1, 100) name?: string;
  @Field(() => AutoReplyTrigger, { description: 'What makes the rule reply', nullable: true }) @IsOptional() @IsEnum(AutoReplyTrigger) trigger?: AutoReplyTrigger;
  @Field(() => String, { description: 'KEYWORD: a word or phrase; REGEX: a bounded regular expression; null for OUTSIDE_BUSINESS_HOURS', nullable: true }) @IsOptional() pattern?: string | null;
  @Field({ description: 'The reply text, 1-4096 characters', nullable: true }) @IsOptional() @Length(1, 4096) replyBody?: string;
  @Field({ description: 'Whether the rule replies', nullable: true }) @IsOptional() @IsBoolean() isActive?: boolean;
  @Field(() => Int, { description: 'Minutes before the rule fires again in the same conversation, 0-10080', nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(MAX_COOLDOWN_MINUTES) cooldownMinutes?: number;
  @Field(() => Int, { description: '-1000 to 1000, higher tried first', nullable: true }) @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @Field(() => ID, { description: 'Limit the rule to this channel; null applies it to all channels', nullable: true }) @IsOptional() @IsUUID() sessionId?: string | null;
}

@InputType({ description: 'Narrows the auto-reply rules; omitted fields do not filter' })
export class AutoReplyRuleFilter {
  @Field(() => AutoReplyTrigger, { description: 'Only rules with this trigger', nullable: true }) @IsOptional() @IsEnum(AutoReplyTrigger) trigger?: AutoReplyTrigger;
  @Field({ description: 'Only active (true) or inactive (false) rules', nullable: true }) @IsOptional() @IsBoolean() isActive?: boolean;
  @Field(() => ID, { description: 'Only rules for this channel', nullable: true }) @IsOptional() @IsUUID() sessionId?: string;
}
