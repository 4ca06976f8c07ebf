import { CreateTenantSchema1763700100000 } from './1763700100000-create-tenant-schema';
import { ContactsListIndex1763800000000 } from './1763800000000-contacts-list-index';
import { WebhookEventsKeyedByEvent1763900000000 } from './1763900000000-webhook-events-keyed-by-event';
import { UsageCounters1764400000000 } from './1764400000000-usage-counters';
import { MessageReactions1764500000000 } from './1764500000000-message-reactions';
import { ContactsByWhatsappId1764600000000 } from './1764600000000-contacts-by-whatsapp-id';
import { CampaignRecipientsPageIndex1764700000000 } from './1764700000000-campaign-recipients-page-index';
import { MasterConfigDefaultCountry1764800000000 } from './1764800000000-master-config-default-country';
import { DomainEvents1764900000000 } from './1764900000000-domain-events';
import { ContactsNameWords1765012000000 } from './1765012000000-contacts-name-words';
import { CampaignSender1765100000000 } from './1765100000000-campaign-sender';

/** In order; each class is applied once per tenant database (or schema). */
export const tenantMigrations = [
  CreateTenantSchema1763700100000,
  ContactsListIndex1763800000000,
  WebhookEventsKeyedByEvent1763900000000,
  UsageCounters1764400000000,
  MessageReactions1764500000000,
  ContactsByWhatsappId1764600000000,
  CampaignRecipientsPageIndex1764700000000,
  MasterConfigDefaultCountry1764800000000,
  DomainEvents1764900000000,
  ContactsNameWords1765012000000,
  CampaignSender1765100000000,
];
