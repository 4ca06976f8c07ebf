import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../../platform/graphql/request-context';
import { Access } from '../../../platform/graphql/roles';
import { MessageObjectType as MessageType } from '../../inbox/inbox.module';
import type { OutboundMessages } from './outbound-message.service';
import { SendMessageInput } from './outbound-message.types';

@Resolver()
export class OutboundMessageResolver {
  constructor(private readonly outbound: OutboundMessages) {}

  @Authorized(Access.WORK)
  @Mutation(() => MessageType, {
    description:
      'Queues a WhatsApp message (status QUEUED); a durable job sends it with retries, then status follows the provider acks (SENT, DELIVERED, READ) or ends FAILED with failureReason',
  })
  async sendMessage(@Arg('input', { description: 'Who to send to (conversation, contact or phone) and the content' }) input: SendMessageInput, @Ctx() ctx: RequestContext): Promise<MessageType> {
    return (await this.outbound.send(ctx, input)) as unknown as MessageType;
  }
}
