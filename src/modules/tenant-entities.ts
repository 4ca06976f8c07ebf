import { AutoReplyFiring } from './auto-replies/auto-reply-firing.entity';
import { AutoReplyRule } from './auto-replies/auto-reply-rule.entity';
import { Campaign } from './campaigns/campaign.entity';
import { CampaignMessage } from './campaigns/campaign-message.entity';
import { CampaignRecipient } from './campaigns/campaign-recipient.entity';
import { Contact } from './contacts/contact.entity';
import { ContactGroup } from './contacts/contact-group.entity';
import { ContactGroupMember } from './contacts/contact-group-member.entity';
import { Conversation } from './conversations/conversation.entity';
import { Document } from './documents/document.entity';
import { ContactLabel } from './labels/contact-label.entity';
import { ConversationLabel } from './labels/conversation-label.entity';
import { Label } from './labels/label.entity';
import { Message } from './messages/message.entity';
import { MessageReaction } from './messages/message-reaction.entity';
import { UsageCounter } from './messages/usage-counter.entity';
import { WebhookEvent } from './messages/webhook-event.entity';
import { Order } from './orders/order.entity';
import { OrderItem } from './orders/order-item.entity';
import { QuickReply } from './quick-replies/quick-reply.entity';
import { MasterConfig } from './settings/master-config.entity';
import { TenantConfig } from './settings/tenant-config.entity';
import { WhatsappSession } from './whatsapp-sessions/whatsapp-session.entity';
import { WhatsappSettings } from './whatsapp-sessions/whatsapp-settings.entity';
import { DomainEventRow, UndispatchedEventRow } from '../platform/events/domain-event.entity';

/** Every table of a tenant database, referenced tables before those that point at them. */
export const tenantEntities = [
  MasterConfig,
  TenantConfig,
  Document,
  Contact,
  ContactGroup,
  ContactGroupMember,
  Label,
  ContactLabel,
  WhatsappSession,
  WhatsappSettings,
  Conversation,
  ConversationLabel,
  Message,
  MessageReaction,
  WebhookEvent,
  UsageCounter,
  QuickReply,
  AutoReplyRule,
  AutoReplyFiring,
  Campaign,
  CampaignMessage,
  CampaignRecipient,
  Order,
  OrderItem,
  DomainEventRow,
  UndispatchedEventRow,
];
