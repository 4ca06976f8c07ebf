import type { RequestContext } from '../../platform/graphql/request-context';
import type { Conversation } from './conversation.entity';
import type { ReadMessage } from './conversation.service';

/**
 * Tells a conversation's channel that an agent read its messages (WhatsApp: a read receipt to the
 * customer). The WhatsApp module registers one; the inbox knows only this interface.
 */
export interface ReadReceiptSender {
  /** After the commit; a courtesy that must neither throw for a provider hiccup nor make the mutation wait for it. */
  sendReadReceipts(ctx: RequestContext, conversation: Conversation, messages: ReadMessage[]): Promise<void>;
}

/** The read receipt senders the channels registered. */
export class ReadReceiptSenders {
  private readonly senders: ReadReceiptSender[] = [];

  add(sender: ReadReceiptSender): void {
    this.senders.push(sender);
  }

  async send(ctx: RequestContext, conversation: Conversation, messages: ReadMessage[]): Promise<void> {
    for (const sender of this.senders) await sender.sendReadReceipts(ctx, conversation, messages);
  }
}
