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

@InputType()
export class CreateQuickReplyInput {
  @Field() @Matches(SHORTCUT, SHORTCUT_RULE) shortcut: string;
  @Field() @Length(1, 200) title: string;
  @Field() @Length(1, 4096) body: string;
}

@InputType()
export class UpdateQuickReplyInput {
  @Field({ nullable: true }) @IsOptional() @Matches(SHORTCUT, SHORTCUT_RULE) shortcut?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200) title?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 4096) body?: string;
}

@InputType()
export class QuickReplyFilter {
  @Field({ nullable: true, description: 'Part of the shortcut or title, case-insensitive' }) @IsOptional() @MaxLength(100) search?: string;
}
