import type { AppModule } from '../../platform/app-module';
import { QuickReply } from './quick-reply.entity';
import { QuickReplyResolver } from './quick-reply.resolver';

export const quickRepliesEntities = [QuickReply];

/** Canned answers agents insert while typing. */
export function createQuickRepliesModule(): AppModule {
  return { name: 'quick-replies', resolvers: [new QuickReplyResolver()], routes: [], jobs: [], eventConsumers: [] };
}
