import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AppError, ErrorCode } from '../../platform/errors';
import { BidirectionalConnectionArgs, ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import { selectedFieldNames, selectsField } from '../../platform/graphql/selection';
import { contactByIdLoader, ContactType, type Contact } from '../contacts/contacts.module';
import { memberUserByIdLoader, UserType } from '../identity/identity.module';
import type { Message } from './message.entity';
import { messageByIdLoader } from './message.loaders';
import { MessageConnection, MessageType } from './message.types';
import type { MessageService } from './message.service';
import type { Conversation } from './conversation.entity';
import type { ConversationService, InboxConversation } from './conversation.service';
import { ConversationConnection, ConversationFilter, ConversationType } from './conversation.types';

async function loadContact(ctx: RequestContext, contactId: string): Promise<Contact> {
  const contact = await (await contactByIdLoader(ctx)).load(contactId);
  // The foreign key (ON DELETE CASCADE) and soft deletes make this unreachable.
  if (!contact) throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Conversation without contact');
  return contact;
}

/** The inbox. Everyone reads; AGENT and up work conversations. Every relation field is batched. */
@Resolver(() => ConversationType)
export class ConversationResolver {
  constructor(
    private readonly conversationService: ConversationService,
    private readonly messageService: MessageService,
  ) {}

  @Authorized(Access.READ)
  @Query(() => ConversationConnection, { description: 'Newest activity first' })
  conversations(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => ConversationFilter, { description: 'Narrows the inbox; omitted means all', nullable: true }) filter: ConversationFilter | undefined,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<Conversation>> {
    return this.conversationService.list(ctx, args, filter, {
      withTotalCount: selectsField(info, 'totalCount'),
      contactFields: selectedFieldNames(info, ['edges', 'node', 'contact']),
      lastMessageFields: selectedFieldNames(info, ['edges', 'node', 'lastMessage']),
    });
  }

  @Authorized(Access.READ)
  @Query(() => ConversationType, { description: 'One conversation; null when there is no such conversation', nullable: true })
  conversation(@Arg('id', () => ID, { description: 'The conversation\'s ID' }) id: string, @Ctx() ctx: RequestContext): Promise<Conversation | null> {
    return this.conversationService.find(ctx, id);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'userId null unassigns; otherwise a member of this tenant who is not an AUDITOR' })
  assignConversation(
    @Arg('id', () => ID, { description: 'The conversation to assign' }) id: string,
    @Arg('userId', () => ID, { description: 'The member to assign it to; null or omitted unassigns it', nullable: true }) userId: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Conversation> {
    return this.conversationService.assign(ctx, id, userId ?? null);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'Marks a conversation closed' })
  closeConversation(@Arg('id', () => ID, { description: 'The conversation to close' }) id: string, @Ctx() ctx: RequestContext): Promise<Conversation> {
    return this.conversationService.close(ctx, id);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'Reopens a closed conversation' })
  reopenConversation(@Arg('id', () => ID, { description: 'The conversation to reopen' }) id: string, @Ctx() ctx: RequestContext): Promise<Conversation> {
    return this.conversationService.reopen(ctx, id);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'Marks its inbound messages read and sets unreadCount to 0' })
  markConversationRead(@Arg('id', () => ID, { description: 'The conversation to mark read' }) id: string, @Ctx() ctx: RequestContext): Promise<Conversation> {
    return this.conversationService.markRead(ctx, id);
  }

  // An inbox page joins the selected columns of contact and last message to its rows; the field
  // resolvers take them from the row without a promise. Anything else goes through the loaders.
  @FieldResolver(() => ContactType, { description: 'The contact the conversation is with' })
  contact(@Root() conversation: InboxConversation, @Ctx() ctx: RequestContext): Contact | Promise<Contact> {
    return conversation.contact ?? loadContact(ctx, conversation.contactId);
  }

  @FieldResolver(() => MessageType, { nullable: true, description: 'The most recent message; null when there is none' })
  lastMessage(@Root() conversation: InboxConversation, @Ctx() ctx: RequestContext): Message | null | Promise<Message | null> {
    if (!conversation.lastMessageId) return null;
    if (conversation.lastMessage !== undefined) return conversation.lastMessage;
    return messageByIdLoader(ctx).then((loader) => loader.load(conversation.lastMessageId!));
  }

  @FieldResolver(() => MessageConnection, {
    description:
      "The conversation's messages in chronological order: `last: 20` gives the newest 20, `before: pageInfo.startCursor` the older ones; `first`/`after` read from the oldest. One query per conversation: meant for one conversation at a time",
  })
  messages(@Root() conversation: Conversation, @Args() args: BidirectionalConnectionArgs, @Ctx() ctx: RequestContext): Promise<Connection<Message>> {
    return this.messageService.list(ctx, conversation.id, args, { order: 'chronological', conversationKnown: true });
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'null when unassigned or when the assignee left the tenant' })
  async assignee(@Root() conversation: Conversation, @Ctx() ctx: RequestContext) {
    if (!conversation.assigneeUserId) return null;
    return (await memberUserByIdLoader(ctx)).load(conversation.assigneeUserId);
  }
}
