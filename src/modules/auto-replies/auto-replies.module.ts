import type { AppModule } from '../../platform/app-module';
import { AutoReplyFiring } from './auto-reply-firing.entity';
import { AutoReplyRule } from './auto-reply-rule.entity';
import { AutoReplyRuleResolver } from './auto-reply-rule.resolver';
import { AutoReplies } from './auto-reply.service';

/** Rules, then their firings (the cooldown's memory). */
export const autoRepliesEntities = [AutoReplyRule, AutoReplyFiring];

export interface AutoRepliesModule extends AppModule {
  /** The rules as the inbound WhatsApp path evaluates them (implements its InboundAutoReplies port). */
  autoReplies: AutoReplies;
}

/** Keyword, regex and business-hours answers to inbound messages. */
export function createAutoRepliesModule(deps: { cacheTtlMs: number }): AutoRepliesModule {
  const autoReplies = new AutoReplies({ ttlMs: deps.cacheTtlMs });
  return {
    name: 'auto-replies',
    resolvers: [new AutoReplyRuleResolver(autoReplies)],
    routes: [],
    jobs: [],
    eventConsumers: [],
    autoReplies,
  };
}
