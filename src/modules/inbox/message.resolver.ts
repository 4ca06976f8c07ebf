import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../platform/errors';
import { ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { Conversation } from './conversation.entity';
import { conversationByIdLoader } from './conversation.loaders';
import { ConversationType } from './conversation.types';
import { memberUserByIdLoader, UserType } from '../identity/identity.module';
import type { Message } from './message.entity';
import type { MessageReaction } from './message-reaction.entity';
import { reactionsByMessageLoader } from './message.loaders';
import { MessageService } from './message.service';
import { MessageConnection, MessageReactionType, MessageType } from './message.types';

/** Reading messages; every relation field is batched. */
@Resolver(() => MessageType)
export class MessageResolver {
  private readonly messageService = new MessageService();

  @Authorized(Access.READ)
  @Query(() => MessageConnection, { description: 'Newest first; NOT_FOUND when there is no such conversation' })
  messages(
    @Arg('conversationId', () => ID) conversationId: string,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Message>> {
    return this.messageService.list(ctx, conversationId, args);
  }

  @FieldResolver(() => ConversationType)
  async conversation(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<Conversation> {
    const conversation = await (await conversationByIdLoader(ctx)).load(message.conversationId);
    if (!conversation) throw notFound('Conversation');
    return conversation;
  }

  @FieldResolver(() => [MessageReactionType], { description: 'Current reactions, oldest first' })
  async reactions(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<MessageReaction[]> {
    return (await reactionsByMessageLoader(ctx)).load(message.id);
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'Outbound: the member who sent it, while still a member' })
  async sentBy(@Root() message: Message, @Ctx() ctx: RequestContext) {
    if (!message.sentByUserId) return null;
    return (await memberUserByIdLoader(ctx)).load(message.sentByUserId);
  }
}
