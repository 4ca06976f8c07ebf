import { IsBoolean, IsEnum, IsOptional, IsUUID, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';
import { ConversationStatus } from './conversation.entity';

registerEnumType(ConversationStatus, { name: 'ConversationStatus', description: 'Where a conversation stands in the inbox', valuesConfig: { OPEN: { description: 'Needs attention' }, PENDING: { description: 'Waiting on someone or something' }, CLOSED: { description: 'Done; a new inbound message reopens it' } } });

/**
 * The inbox row: one chat per contact and channel. `contact`, `lastMessage`, `labels` and
 * `assignee` are batched field resolvers (DataLoader), so a page costs a fixed number of queries.
 */
@ObjectType('Conversation', { description: 'The chat thread with one contact on one channel', simpleResolvers: true })
export class ConversationType {
  @Field(() => ID, { description: 'The conversation\'s ID' }) id: string;
  @Field(() => ConversationStatus, { description: 'Open or closed' }) status: ConversationStatus;
  @Field(() => Int, { description: 'Inbound messages not yet marked read' }) unreadCount: number;
  @Field(() => Date, { nullable: true, description: 'Time of the newest message; the inbox is ordered by it' })
  lastMessageAt: Date | null;
  @Field(() => ID, { nullable: true, description: 'The WhatsApp channel' }) sessionId: string | null;
  @Field({ description: 'When the conversation started' }) createdAt: Date;
  @Field({ description: 'When the conversation last changed' }) updatedAt: Date;
  /** Resolved by the `contact`, `lastMessage` and `assignee` fields. */
  contactId: string;
  lastMessageId: string | null;
  assigneeUserId: string | null;
}

export const ConversationConnection = ConnectionType(ConversationType);

@InputType({ description: 'Narrows the conversations; omitted fields do not filter' })
export class ConversationFilter {
  @Field(() => ConversationStatus, { description: 'Only conversations in this status', nullable: true }) @IsOptional() @IsEnum(ConversationStatus) status?: ConversationStatus;

  @Field(() => ID, { nullable: true, description: 'Conversations assigned to this user' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @Field({ nullable: true, description: 'Only conversations nobody is assigned to' })
  @IsOptional()
  @IsBoolean()
  unassigned?: boolean;

  @Field(() => ID, { description: 'Only conversations with this label', nullable: true }) @IsOptional() @IsUUID() labelId?: string;

  @Field({ nullable: true, description: 'Only conversations with unread inbound messages' })
  @IsOptional()
  @IsBoolean()
  unreadOnly?: boolean;

  @Field({
    nullable: true,
    description: "The contact's name from its start or from the start of its words, case-insensitive ('smi' finds 'Anna Smith'), or the start of the phone number's digits",
  })
  @IsOptional()
  @MaxLength(100)
  search?: string;
}
