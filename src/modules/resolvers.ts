import type { NonEmptyArray } from 'type-graphql';
import { AuthResolver } from './identity/auth.resolver';
import { MembersResolver } from './identity/members.resolver';
import { PlatformAdminResolver } from './platform-admin/platform-admin.resolver';
import { WhatsappSessionResolver } from './whatsapp-sessions/whatsapp-session.resolver';
import { OutboundMessageResolver } from './messages/outbound-message.resolver';
import { ConversationReadResolver } from './conversations/conversation-read.resolver';

/** Every resolver of the product; each is constructed with AppServices. */
export const moduleResolvers: NonEmptyArray<Function> = [
  AuthResolver,
  MembersResolver,
  PlatformAdminResolver,
  WhatsappSessionResolver,
  OutboundMessageResolver,
  ConversationReadResolver,
];
