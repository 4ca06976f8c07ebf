import { IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

/** Exactly one of conversationId, contactId or phone; a body, a document, or both (the body is the caption). */
@InputType({ description: 'A message to send: give conversationId, contactId or phone, and the content' })
export class SendMessageInput {
  @Field(() => ID, { description: 'Send in this conversation', nullable: true }) @IsOptional() @IsUUID() conversationId?: string;

  @Field(() => ID, { description: 'Send to this contact', nullable: true }) @IsOptional() @IsUUID() contactId?: string;

  @Field(() => String, { nullable: true, description: "A phone number, e.g. '+44 7911 123456'; the contact is created if new" })
  @IsOptional()
  @Length(5, 40)
  phone?: string;

  @Field(() => ID, { nullable: true, description: 'The channel to send through; default: the conversation\'s, else the first working one' })
  @IsOptional()
  @IsUUID()
  sessionId?: string;

  @Field(() => String, { description: 'Message text, at most 4096 characters', nullable: true }) @IsOptional() @MaxLength(4096) body?: string;

  @Field(() => ID, { nullable: true, description: 'A stored document to send as an image or file' })
  @IsOptional()
  @IsUUID()
  documentId?: string;

  @Field(() => ID, { nullable: true, description: 'A message of the same conversation to quote' })
  @IsOptional()
  @IsUUID()
  replyToId?: string;
}
