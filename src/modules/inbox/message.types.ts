import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';
import { MessageDirection, MessageStatus, MessageType as MessageKind } from './message.entity';

registerEnumType(MessageDirection, { name: 'MessageDirection', description: 'Which way a message travelled', valuesConfig: { INBOUND: { description: 'From the contact' }, OUTBOUND: { description: 'To the contact' } } });
registerEnumType(MessageKind, { name: 'MessageType', valuesConfig: { TEXT: { description: 'Plain text' }, IMAGE: { description: 'An image' }, VIDEO: { description: 'A video' }, AUDIO: { description: 'Audio or a voice note' }, DOCUMENT: { description: 'A file' }, STICKER: { description: 'A sticker' }, LOCATION: { description: 'A shared location' }, REACTION: { description: 'An emoji reaction to another message' }, TEMPLATE: { description: 'A pre-approved WhatsApp template' }, OTHER: { description: 'Any other kind' } }, description: 'What the message carries' });
registerEnumType(MessageStatus, {
  name: 'MessageStatus', valuesConfig: { QUEUED: { description: 'Accepted, waiting to be sent' }, SENT: { description: 'Handed to WhatsApp' }, DELIVERED: { description: 'Reached the recipient\'s phone' }, READ: { description: 'Read by the recipient' }, PLAYED: { description: 'A voice or video message was played' }, FAILED: { description: 'Could not be sent; see failureReason' } },
  description: 'Delivery ladder QUEUED < SENT < DELIVERED < READ < PLAYED; FAILED is off the ladder',
});

/** One WhatsApp message of a conversation. `sentBy` is a batched field resolver. */
@ObjectType('Message', { description: 'One WhatsApp message in a conversation', simpleResolvers: true })
export class MessageType {
  @Field(() => ID, { description: 'The message\'s ID' }) id: string;
  @Field(() => ID, { description: 'The conversation it belongs to' }) conversationId: string;
  @Field(() => MessageDirection, { description: 'Inbound (from the contact) or outbound' }) direction: MessageDirection;
  @Field({ description: "Provider address: E.164 digits or a chat id such as '15551234567@c.us'" }) fromAddress: string;
  @Field({ description: 'The recipient\'s WhatsApp address' }) toAddress: string;
  @Field(() => String, { nullable: true, description: 'Text, or the caption of a media message' }) body: string | null;
  @Field(() => MessageKind, { description: 'Kind of content (text, media, ...)' }) type: MessageKind;
  @Field(() => MessageStatus, { description: 'Delivery state' }) status: MessageStatus;
  @Field(() => String, { description: 'Why sending failed; null unless status is FAILED', nullable: true }) failureReason: string | null;
  @Field(() => Date, { nullable: true, description: 'When the provider says it was sent or received' }) providerTimestamp: Date | null;
  @Field(() => Date, { nullable: true, description: 'Inbound: when an agent read it' }) readAt: Date | null;
  @Field({ description: 'When the message was stored' }) createdAt: Date;
  @Field({ description: 'When the message last changed (e.g. a status ack)' }) updatedAt: Date;
  /** Resolved by `sentBy` (a user of the control database). */
  sentByUserId: string | null;
}

/** A current reaction to a message (one per person; removed ones are not listed). */
@ObjectType('MessageReaction', { description: 'An emoji reaction to a message', simpleResolvers: true })
export class MessageReactionType {
  @Field({ description: 'The reaction emoji' }) emoji: string;
  @Field({ description: "Who reacted: the customer's provider address, or our own number's" }) reactor: string;
  @Field(() => MessageDirection, { description: 'INBOUND: the customer reacted; OUTBOUND: we did, from the linked phone' })
  direction: MessageDirection;
  @Field({ description: 'When the reaction was made' }) reactedAt: Date;
}

export const MessageConnection = ConnectionType(MessageType);
