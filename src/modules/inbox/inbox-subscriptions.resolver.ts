import { Arg, Authorized, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { TenantEvent } from '../../platform/realtime/tenant-events';
import type { TenantEventFilter } from '../../platform/realtime/tenant-event-stream';
import { MessageType } from './message.types';
import { ConversationType } from './conversation.types';
import { conversationFromEvent, messageFromEvent } from './inbox-events';

/**
 * The caller's tenant's events only: the tenant comes from the verified identity in the
 * context, never from an argument. Each delivered event runs with a fresh context (the
 * WebSocket server's doing), so relation fields batch and lease per event.
 */
export const tenantEvents =
  (filter: (args: Record<string, unknown>) => TenantEventFilter) =>
  ({ context, args }: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>) =>
    context.tenant().events(filter(args));

const inConversation = (conversationId: unknown) =>
  typeof conversationId === 'string' ? (event: TenantEvent) => event.conversationId === conversationId : undefined;

/** The live inbox: new messages, message status changes, conversation changes. */
@Resolver()
export class InboxSubscriptionsResolver {
  @Authorized(Access.READ)
  @Subscription(() => MessageType, {
    description: 'Inbound messages as they arrive; only those of one conversation when `conversationId` is given',
    subscribe: tenantEvents((args) => ({ types: ['messageReceived'], accept: inConversation(args.conversationId) })),
  })
  messageReceived(
    @Root() event: TenantEvent,
    @Arg('conversationId', () => ID, { nullable: true, description: 'Only messages in this conversation; omitted means all' }) _conversationId?: string,
  ): MessageType {
    return messageFromEvent(event);
  }

  @Authorized(Access.READ)
  @Subscription(() => MessageType, {
    description: 'Messages that changed (delivery status, failure, read) or were sent; optionally of one conversation',
    subscribe: tenantEvents((args) => ({ types: ['messageUpdated'], accept: inConversation(args.conversationId) })),
  })
  messageUpdated(
    @Root() event: TenantEvent,
    @Arg('conversationId', () => ID, { nullable: true, description: 'Only messages in this conversation; omitted means all' }) _conversationId?: string,
  ): MessageType {
    return messageFromEvent(event);
  }

  @Authorized(Access.READ)
  @Subscription(() => ConversationType, {
    description: 'Conversations that changed: last message, unread count, status, assignee',
    subscribe: tenantEvents(() => ({ types: ['conversationUpdated'] })),
  })
  conversationUpdated(@Root() event: TenantEvent): ConversationType {
    return conversationFromEvent(event);
  }
}
