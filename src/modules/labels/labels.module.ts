import type { AppModule } from '../../platform/app-module';
import { ContactLabel } from './contact-label.entity';
import { ConversationLabel } from './conversation-label.entity';
import { Label } from './label.entity';
import { LabelResolver } from './label.resolver';
import { ContactLabelsResolver, ConversationLabelsResolver } from './labelled.resolver';

/** Labels, then the tables that put them on contacts and conversations. */
export const labelsEntities = [Label, ContactLabel, ConversationLabel];

/** Labels on contacts and conversations. */
export function createLabelsModule(): AppModule {
  return {
    name: 'labels',
    resolvers: [new LabelResolver(), new ContactLabelsResolver(), new ConversationLabelsResolver()],
    routes: [],
    jobs: [],
    eventConsumers: [],
  };
}
