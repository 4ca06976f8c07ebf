import { ApiKey } from './api-key.entity';
import { ChannelRoute } from './channel-route.entity';
import { DatabaseServer } from './database-server.entity';
import { FailedWebhookEvent } from './failed-webhook-event.entity';
import { Invitation } from './invitation.entity';
import { SignUpInvitation } from './signup-invitation.entity';
import { Membership } from './membership.entity';
import { PlatformAdmin } from './platform-admin.entity';
import { SubscriptionOrder } from './subscription-order.entity';
import { SubscriptionPlan } from './subscription-plan.entity';
import { Tenant } from './tenant.entity';
import { TenantPlacement } from './tenant-placement.entity';
import { TenantEventOutboxRow } from './tenant-event-outbox.entity';
import { User } from './user.entity';

export const controlEntities = [
  Tenant,
  TenantPlacement,
  DatabaseServer,
  User,
  Membership,
  PlatformAdmin,
  ApiKey,
  SubscriptionPlan,
  SubscriptionOrder,
  ChannelRoute,
  FailedWebhookEvent,
  TenantEventOutboxRow,
  Invitation,
  SignUpInvitation,
];
