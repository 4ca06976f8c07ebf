import type { NonEmptyArray } from 'type-graphql';
import { AuthResolver } from './identity/auth.resolver';
import { MembersResolver } from './identity/members.resolver';
import { PlatformAdminResolver } from './platform-admin/platform-admin.resolver';
import { ContactResolver } from './contacts/contact.resolver';
import { ContactGroupResolver } from './contacts/contact-group.resolver';
import { LabelResolver } from './labels/label.resolver';
import { ConversationResolver } from './conversations/conversation.resolver';
import { MessageResolver } from './messages/message.resolver';
import { QuickReplyResolver } from './quick-replies/quick-reply.resolver';
import { AutoReplyRuleResolver } from './auto-replies/auto-reply-rule.resolver';
import { CampaignMessageResolver, CampaignResolver } from './campaigns/campaign.resolver';
import { OrderResolver } from './orders/order.resolver';
import { DocumentResolver } from './documents/document.resolver';
import { SettingsResolver } from './settings/settings.resolver';
import { WhatsappSettingsResolver } from './whatsapp-sessions/whatsapp-settings.resolver';
import { InboxSubscriptionsResolver } from './inbox/inbox-subscriptions.resolver';
import { WhatsappSessionResolver } from './whatsapp-sessions/whatsapp-session.resolver';
import { OutboundMessageResolver } from './messages/outbound-message.resolver';
import { PlanUsageResolver } from './messages/plan-usage.resolver';
import { AuditLogResolver } from './audit/audit-log.resolver';

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
  QuickReplyResolver,
  AutoReplyRuleResolver,
  CampaignResolver,
  CampaignMessageResolver,
  OrderResolver,
  DocumentResolver,
  SettingsResolver,
  WhatsappSettingsResolver,
  InboxSubscriptionsResolver,
  WhatsappSessionResolver,
  OutboundMessageResolver,
  PlanUsageResolver,
  AuditLogResolver,
];
