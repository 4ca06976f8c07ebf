import type { AppModule } from '../../platform/app-module';
import type { TenantEventBus } from '../../platform/realtime/tenant-events';
import { ReadReceiptSenders } from './conversation-read-receipts';
import { ConversationService } from './conversation.service';
import { Conversation } from './conversation.entity';
import { ConversationResolver } from './conversation.resolver';
import { InboxSubscriptionsResolver } from './inbox-subscriptions.resolver';
import { inboxLiveEventsConsumer } from './inbox-events';
import { MessageReaction } from './message-reaction.entity';
import { Message } from './message.entity';
import { MessageResolver } from './message.resolver';

export { Conversation, ConversationStatus } from './conversation.entity';
export { ConversationType } from './conversation.types';
export type { ReadMessage } from './conversation.service';
export type { ReadReceiptSender } from './conversation-read-receipts';
export { Message, MessageDirection, MessageStatus, MessageType, MESSAGE_STATUS_RANK } from './message.entity';
/** The GraphQL `Message` object type (its class name, MessageType, is the enum of message kinds here). */
export { MessageType as MessageObjectType } from './message.types';
export { MESSAGE_COLUMNS } from './message.loaders';
export {
  conversationUpdatedEvent,
  messageReceivedEvent,
  messageUpdatedEvent,
  rowFromEvent,
  InboxEventType,
  messageSent,
  conversationChanged,
  messagePayloadSql,
  conversationPayloadSql,
  type ConversationSnapshotSource,
  type MessageSnapshotSource,
} from './inbox-events';
export { tenantEvents } from './inbox-subscriptions.resolver';

/** Conversations, then their messages and reactions. */
export const inboxEntities = [Conversation, Message, MessageReaction];

export interface InboxModule extends AppModule {
  /** Channels register here to send read receipts when an agent reads a conversation. */
  readReceipts: Pick<ReadReceiptSenders, 'add'>;
}

/** The inbox: conversations, messages, reactions, read state and the live inbox subscriptions. */
export function createInboxModule(deps: { events: TenantEventBus }): InboxModule {
  const readReceipts = new ReadReceiptSenders();
  const conversations = new ConversationService({ readReceipts });
  return {
    name: 'inbox',
    resolvers: [new ConversationResolver(conversations), new MessageResolver(), new InboxSubscriptionsResolver()],
    routes: [],
    jobs: [],
    eventConsumers: [inboxLiveEventsConsumer(deps.events)],
    readReceipts,
  };
}
