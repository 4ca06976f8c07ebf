import type { NonEmptyArray } from 'type-graphql';
import { AuthResolver } from './identity/auth.resolver';
import { MembersResolver } from './identity/members.resolver';
import { PlatformAdminResolver } from './platform-admin/platform-admin.resolver';
import { ContactResolver } from './contacts/contact.resolver';
import { ContactGroupResolver } from './contacts/contact-group.resolver';
import { LabelResolver } from './labels/label.resolver';
import { ConversationResolver } from './inbox/conversation.resolver';
import { MessageResolver } from './inbox/message.resolver';
import { QuickReplyResolver } from './quick-replies/quick-reply.resolver';
import { AutoReplyRuleResolver } from './auto-replies/auto-reply-rule.resolver';
import { CampaignMessageResolver, CampaignResolver } from './campaigns/campaign.resolver';
import { OrderResolver } from './orders/order.resolver';
import { DocumentResolver } from './documents/document.resolver';
import { SettingsResolver } from './settings/settings.resolver';
import { WhatsappSettingsResolver } from './whatsapp/channels/whatsapp-settings.resolver';
import { InboxSubscriptionsResolver } from './inbox/inbox-subscriptions.resolver';
import { WhatsappSessionResolver } from './whatsapp/channels/whatsapp-session.resolver';
import { OutboundMessageResolver } from './whatsapp/outbound/outbound-message.resolver';
import { PlanUsageResolver } from './whatsapp/outbound/plan-usage.resolver';

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
];
