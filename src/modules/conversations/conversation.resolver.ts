import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppServices } from '../../app-services';
import { AppError, ErrorCode } from '../../platform/errors';
import { ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { Contact } from '../contacts/contact.entity';
import { contactByIdLoader } from '../contacts/contact.loaders';
import { ContactType } from '../contacts/contact.types';
import { UserType } from '../identity/identity.types';
import { memberUserByIdLoader } from '../identity/member.loaders';
import { labelsByConversationIdLoader } from '../labels/label.loaders';
import { LabelType } from '../labels/label.types';
import type { Message } from '../messages/message.entity';
import { messageByIdLoader } from '../messages/message.loaders';
import { MessageType } from '../messages/message.types';
import type { Conversation } from './conversation.entity';
import type { ConversationService } from './conversation.service';
import { ConversationServiceWithReadReceipts } from './conversation-read-receipts';
import { ConversationConnection, ConversationFilter, ConversationType } from './conversation.types';

/** The inbox. Everyone reads; AGENT and up work conversations. Every relation field is batched. */
@Resolver(() => ConversationType)
export class ConversationResolver {
  private readonly conversationService: ConversationService;

  constructor(services: AppServices) {
    this.conversationService = new ConversationServiceWithReadReceipts(services);
  }

  @Authorized(Access.READ)
  @Query(() => ConversationConnection, { description: 'Newest activity first' })
  conversations(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => ConversationFilter, { nullable: true }) filter: ConversationFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Conversation>> {
    return this.conversationService.list(ctx, args, filter);
  }

  @Authorized(Access.READ)
  @Query(() => ConversationType, { nullable: true })
  conversation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Conversation | null> {
    return this.conversationService.find(ctx, id);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'userId null unassigns; otherwise a member of this tenant who is not an AUDITOR' })
  assignConversation(
    @Arg('id', () => ID) id: string,
    @Arg('userId', () => ID, { nullable: true }) userId: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Conversation> {
    return this.conversationService.assign(ctx, id, userId ?? null);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType)
  closeConversation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Conversation> {
    return this.conversationService.close(ctx, id);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType)
  reopenConversation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Conversation> {
    return this.conversationService.reopen(ctx, id);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'Marks its inbound messages read and sets unreadCount to 0' })
  markConversationRead(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Conversation> {
    return this.conversationService.markRead(ctx, id);
  }

  @FieldResolver(() => ContactType)
  async contact(@Root() conversation: Conversation, @Ctx() ctx: RequestContext): Promise<Contact> {
    const contact = await (await contactByIdLoader(ctx)).load(conversation.contactId);
    // The foreign key (ON DELETE CASCADE) and soft deletes make this unreachable.
    if (!contact) throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Conversation without contact');
    return contact;
  }

  @FieldResolver(() => MessageType, { nullable: true })
  async lastMessage(@Root() conversation: Conversation, @Ctx() ctx: RequestContext): Promise<Message | null> {
    if (!conversation.lastMessageId) return null;
    return (await messageByIdLoader(ctx)).load(conversation.lastMessageId);
  }

  @FieldResolver(() => [LabelType])
  async labels(@Root() conversation: Conversation, @Ctx() ctx: RequestContext) {
    return (await labelsByConversationIdLoader(ctx)).load(conversation.id);
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'null when unassigned or when the assignee left the tenant' })
  async assignee(@Root() conversation: Conversation, @Ctx() ctx: RequestContext) {
    if (!conversation.assigneeUserId) return null;
    return (await memberUserByIdLoader(ctx)).load(conversation.assigneeUserId);
  }
}
