import type { NonEmptyArray } from 'type-graphql';
import { AuthResolver } from './identity/auth.resolver';
import { MembersResolver } from './identity/members.resolver';
import { PlatformAdminResolver } from './platform-admin/platform-admin.resolver';
import { ContactResolver } from './contacts/contact.resolver';
import { ContactGroupResolver } from './contacts/contact-group.resolver';
import { LabelResolver } from './labels/label.resolver';
import { ConversationResolver } from './conversations/conversation.resolver';
import { MessageResolver } from './messages/message.resolver';
import { InboxSubscriptionsResolver } from './inbox/inbox-subscriptions.resolver';

/** Every resolver of the product; each is constructed with AppServices. */
export const moduleResolvers: NonEmptyArray<Function> = [
  AuthResolver,
  MembersResolver,
  PlatformAdminResolver,
  ContactResolver,
  ContactGroupResolver,
  LabelResolver,
  ConversationResolver,
  MessageResolver,
  InboxSubscriptionsResolver,
];
