import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';
import { MessageDirection, MessageStatus, MessageType as MessageKind } from './message.entity';

registerEnumType(MessageDirection, { name: 'MessageDirection' });
registerEnumType(MessageKind, { name: 'MessageType', description: 'What the message carries' });
registerEnumType(MessageStatus, {
  name: 'MessageStatus',
  description: 'Delivery ladder QUEUED < SENT < DELIVERED < READ < PLAYED; FAILED is off the ladder',
});

/** One WhatsApp message of a conversation. `sentBy` is a batched field resolver. */
@ObjectType('Message', { simpleResolvers: true })
export class MessageType {
  @Field(() => ID) id: string;
  @Field(() => ID) conversationId: string;
  @Field(() => MessageDirection) direction: MessageDirection;
  @Field({ description: "Provider address: E.164 digits or a chat id such as '15551234567@c.us'" }) fromAddress: string;
  @Field() toAddress: string;
  @Field(() => String, { nullable: true, description: 'Text, or the caption of a media message' }) body: string | null;
  @Field(() => MessageKind) type: MessageKind;
  @Field(() => MessageStatus) status: MessageStatus;
  @Field(() => String, { nullable: true }) failureReason: string | null;
  @Field(() => Date, { nullable: true, description: 'When the provider says it was sent or received' }) providerTimestamp: Date | null;
  @Field(() => Date, { nullable: true, description: 'Inbound: when an agent read it' }) readAt: Date | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
  /** Resolved by `sentBy` (a user of the control database). */
  sentByUserId: string | null;
}

/** A current reaction to a message (one per person; removed ones are not listed). */
@ObjectType('MessageReaction', { simpleResolvers: true })
export class MessageReactionType {
  @Field() emoji: string;
  @Field({ description: "Who reacted: the customer's provider address, or our own number's" }) reactor: string;
  @Field(() => MessageDirection, { description: 'INBOUND: the customer reacted; OUTBOUND: we did, from the linked phone' })
  direction: MessageDirection;
  @Field() reactedAt: Date;
}

export const MessageConnection = ConnectionType(MessageType);
