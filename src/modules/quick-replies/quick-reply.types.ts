import { IsOptional, Length, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';

const SHORTCUT = /^\/?[a-z0-9][a-z0-9_-]{0,48}$/i;
const SHORTCUT_RULE = { message: 'shortcut is 1-49 letters, digits, _ or -, optionally after a /' };

@ObjectType('QuickReply', { description: 'A canned answer an agent inserts by typing its shortcut' })
export class QuickReplyType {
  @Field(() => ID, { description: 'The quick reply\'s ID' }) id: string;
  @Field({ description: "Lower case with a leading '/', e.g. '/hours'" }) shortcut: string;
  @Field({ description: 'Display title' }) title: string;
  @Field({ description: 'The message text' }) body: string;
  @Field({ description: 'When the quick reply was created' }) createdAt: Date;
  @Field({ description: 'When the quick reply last changed' }) updatedAt: Date;
}

export const QuickReplyConnection = ConnectionType(QuickReplyType);

@InputType({ description: 'A new quick reply' })
export class CreateQuickReplyInput {
  @Field({ description: 'What agents type to insert it: letters, digits, _ and -, up to 49, optionally after a leading /' }) @Matches(SHORTCUT, SHORTCUT_RULE) shortcut: string;
  @Field({ description: 'Display title, 1-200 characters' }) @Length(1, 200) title: string;
  @Field({ description: 'The message text, 1-4096 characters' }) @Length(1, 4096) body: string;
}

@InputType({ description: 'Changes to a quick reply; omitted fields keep their value' })
export class UpdateQuickReplyInput {
  @Field({ description: 'What agents type to insert it: letters, digits, _ and -, up to 49, optionally after a leading /', nullable: true }) @IsOptional() @Matches(SHORTCUT, SHORTCUT_RULE) shortcut?: string;
  @Field({ description: 'Display title, 1-200 characters', nullable: true }) @IsOptional() @Length(1, 200) title?: string;
  @Field({ description: 'The message text, 1-4096 characters', nullable: true }) @IsOptional() @Length(1, 4096) body?: string;
}

@InputType({ description: 'Narrows the quick replies; omitted fields do not filter' })
export class QuickReplyFilter {
  @Field({ nullable: true, description: 'Part of the shortcut or title, case-insensitive' }) @IsOptional() @MaxLength(100) search?: string;
}
