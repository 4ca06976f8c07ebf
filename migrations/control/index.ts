import { CreateControlSchema1763700000000 } from './1763700000000-create-control-schema';
import { CreateTenantEventPayloads1763900000000 } from './1763900000000-create-tenant-event-payloads';
import { CreateInvitationsAndRateLimits1764100000000 } from './1764100000000-create-invitations-and-rate-limits';

/** In order; each class is applied once per control database. */
export const controlMigrations = [
  CreateControlSchema1763700000000,
  CreateTenantEventPayloads1763900000000,
  CreateInvitationsAndRateLimits1764100000000,
];
