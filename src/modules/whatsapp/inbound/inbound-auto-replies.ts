import type { EntityManager } from 'typeorm';

/** A rule that may answer an inbound message. */
export interface InboundAutoReplyRule {
  replyBody: string;
}

/** A channel's active rules, as the inbound path needs them. */
export interface InboundAutoReplyPlan {
  rules: readonly InboundAutoReplyRule[];
}

/**
 * What the inbound path asks of auto-replies. The auto-replies module implements it (it owns the
 * rules and their cache); WhatsApp only knows this port, so the dependency runs auto-replies →
 * whatsapp and not back.
 */
export interface InboundAutoReplies {
  plan(tenantId: string, sessionId: string, manager: EntityManager): Promise<InboundAutoReplyPlan>;
  choose(plan: InboundAutoReplyPlan, body: string, at: Date): InboundAutoReplyRule | null;
  /** Records the firing unless the rule is cooling down for this conversation; false when it is. */
  tryFire(tx: EntityManager, rule: InboundAutoReplyRule, conversationId: string): Promise<boolean>;
  /** Forgets a tenant's cached rules (after rules, business hours or the time zone change). */
  invalidate(tenantId: string): void;
}
