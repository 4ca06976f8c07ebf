import type { ChannelEvent, InboundMessageEvent } from '../../../channels/channel-events';
import type { Message } from '../../inbox/inbox.module';
import type { ChannelTarget } from '../channels/channel-route-cache';
import type { InboundMessageHandler } from './inbound-message.handler';
import type { IngestOutcome, IngestResult } from './ingest-result';
import type { MessageStatusHandler } from './message-status.handler';
import type { ReactionHandler } from './reaction.handler';
import type { SessionStatusHandler } from './session-status.handler';
import type { WebhookEventRetention } from './webhook-event-retention';

export type { IngestOutcome, IngestResult } from './ingest-result';

/** One handler per kind of provider event. */
export interface ChannelEventHandlers {
  message: InboundMessageHandler;
  status: MessageStatusHandler;
  reaction: ReactionHandler;
  session: SessionStatusHandler;
}

/**
 * Stores provider events (webhooks, sandbox) idempotently in the tenant's database and publishes
 * them to subscribers after commit. Deliveries are at-least-once and unordered: events are
 * deduplicated on (provider, event id) AND on the provider message id, and acks only ever move a
 * message up its status ladder. Each event goes to the handler of its kind.
 */
export class ChannelEventIngest {
  constructor(private readonly deps: { handlers: ChannelEventHandlers; retention: WebhookEventRetention }) {}

  /** Stores a webhook's events for one channel, one transaction each, in order. */
  async ingest(target: ChannelTarget, events: ChannelEvent[]): Promise<IngestOutcome> {
    const outcome: IngestOutcome = { stored: 0, duplicates: 0, ignored: 0, retry: 0 };
    for (const event of events) {
      const result = await this.ingestOne(target, event);
      if (result === 'stored') outcome.stored += 1;
      else if (result === 'duplicate') outcome.duplicates += 1;
      else if (result === 'ignored') outcome.ignored += 1;
      else outcome.retry += 1;
    }
    return outcome;
  }

  /** One event, routed to the handler of its kind. */
  async ingestOne(target: ChannelTarget, event: ChannelEvent): Promise<IngestResult> {
    this.deps.retention.ingested(target.tenantId);
    const { handlers } = this.deps;
    switch (event.kind) {
      case 'message':
        return (await handlers.message.handle(target, event)).result;
      case 'status':
        return handlers.status.handle(target, event);
      case 'session':
        return handlers.session.handle(target, event);
      case 'reaction':
        return handlers.reaction.handle(target, event);
    }
  }

  /** Stores a message (customer's, or typed on the linked phone) and fires auto-replies; with the message when one was stored. */
  async inboundMessage(target: ChannelTarget, event: InboundMessageEvent): Promise<{ result: IngestResult; message?: Message }> {
    return this.deps.handlers.message.handle(target, event);
  }
}
