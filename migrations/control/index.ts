import { CreateControlSchema1763700000000 } from './1763700000000-create-control-schema';
import { CreateTenantEventPayloads1763900000000 } from './1763900000000-create-tenant-event-payloads';
import { CreateFailedWebhookEvents1764650000000 } from './1764650000000-create-failed-webhook-events';
import { TenantEventOutbox1764900000000 } from './1764900000000-tenant-event-outbox';
import { CreateInvitationsAndRateLimits1765000000000 } from './1765000000000-create-invitations-and-rate-limits';
import { DatabaseServerPlacement1765100000000 } from './1765100000000-database-server-placement';
import { ApiKeyScopes1765110000000 } from './1765110000000-api-key-scopes';
import { TenantLifecycle1765200000000 } from './1765200000000-tenant-lifecycle';

/** In order; each class is applied once per control database. */
export const controlMigrations = [
  CreateControlSchema1763700000000,
  CreateTenantEventPayloads1763900000000,
  CreateFailedWebhookEvents1764650000000,
  TenantEventOutbox1764900000000,
  CreateInvitationsAndRateLimits1765000000000,
  DatabaseServerPlacement1765100000000,
  ApiKeyScopes1765110000000,
  TenantLifecycle1765200000000,
];
