import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/request-context';
import { ContactType, type Contact } from '../contacts/contacts.module';
import { ConversationType, type Conversation } from '../inbox/inbox.module';
import { labelsByContactIdLoader, labelsByConversationIdLoader } from './label.loaders';
import { LabelType } from './label.types';

/** `Contact.labels`: labels own the data, so the field lives here (contacts know nothing of labels). */
@Resolver(() => ContactType)
export class ContactLabelsResolver {
  @FieldResolver(() => [LabelType], { description: 'Labels attached to the contact' })
  async labels(@Root() contact: Contact, @Ctx() ctx: RequestContext) {
    return (await labelsByContactIdLoader(ctx)).load(contact.id);
  }
}

/** `Conversation.labels`: labels own the data, so the field lives here (the inbox knows nothing of labels). */
@Resolver(() => ConversationType)
export class ConversationLabelsResolver {
  @FieldResolver(() => [LabelType], { description: 'Labels attached to the conversation' })
  async labels(@Root() conversation: Conversation, @Ctx() ctx: RequestContext) {
    return (await labelsByConversationIdLoader(ctx)).load(conversation.id);
  }
}
