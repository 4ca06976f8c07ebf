import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../platform/errors';
import { BidirectionalConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { Conversation } from './conversation.entity';
import { conversationByIdLoader } from './conversation.loaders';
import { ConversationType } from './conversation.types';
import { memberUserByIdLoader, UserType } from '../identity/identity.module';
import { MediaType, type DocumentMedia } from '../documents/documents.module';
import type { Message } from './message.entity';
import type { MessageReaction } from './message-reaction.entity';
import { messageByIdLoader, reactionsByMessageLoader } from './message.loaders';
import type { MessageService } from './message.service';
import { MessageConnection, MessageReactionType, MessageType } from './message.types';

/** Reading messages; every relation field is batched. */
@Resolver(() => MessageType)
export class MessageResolver {
  constructor(private readonly deps: { messages: MessageService; media: DocumentMedia }) {}

  @Authorized(Access.READ)
  @Query(() => MessageConnection, {
    description:
      'Newest first (last/before read from the oldest end); NOT_FOUND when there is no such conversation. For history in chronological order, see Conversation.messages',
  })
  messages(
    @Arg('conversationId', () => ID, { description: 'The conversation whose messages to list' }) conversationId: string,
    @Args() args: BidirectionalConnectionArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Message>> {
    return this.deps.messages.list(ctx, conversationId, args);
  }

  @FieldResolver(() => ConversationType, { description: 'The conversation the message belongs to' })
  async conversation(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<Conversation> {
    const conversation = await (await conversationByIdLoader(ctx)).load(message.conversationId);
    if (!conversation) throw notFound('Conversation');
    return conversation;
  }

  @FieldResolver(() => [MessageReactionType], { description: 'Current reactions, oldest first' })
  async reactions(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<MessageReaction[]> {
    return (await reactionsByMessageLoader(ctx)).load(message.id);
  }

  @FieldResolver(() => MediaType, { nullable: true, description: 'The attached file (image, audio, document...); null when there is none or it was deleted' })
  media(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<MediaType | null> | null {
    if (!message.documentId) return null;
    return this.deps.media.load(ctx, message.documentId);
  }

  @FieldResolver(() => MessageType, { nullable: true, description: 'The message this one quotes; null when it is not stored here' })
  replyTo(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<Message | null> | null {
    if (!message.replyToId) return null;
    return messageByIdLoader(ctx).then((loader) => loader.load(message.replyToId!));
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'Outbound: the member who sent it, while still a member' })
  async sentBy(@Root() message: Message, @Ctx() ctx: RequestContext) {
    if (!message.sentByUserId) return null;
    return (await memberUserByIdLoader(ctx)).load(message.sentByUserId);
  }
}
