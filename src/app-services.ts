import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { Logger } from './platform/logger';
import type { TokenService } from './platform/auth/token-service';
import type { MembershipRoles } from './platform/auth/membership-roles';
import type { ConnectionBudget } from './platform/tenancy/connection-budget';
import type { DatabaseServers } from './platform/tenancy/database-servers';
import type { TenantMigrator } from './platform/tenancy/tenant-migrator';
import type { TenantProvisioner } from './platform/tenancy/tenant-provisioner';
import type { TenantRegistry } from './platform/tenancy/tenant-registry';
import type { TenantRouter } from './platform/tenancy/tenant-router';
import type { TenancyMode } from './platform/control/tenant-placement.entity';
import type { TenantEventBus } from './platform/realtime/tenant-events';
import type { FileStorage } from './platform/storage/file-storage';
import type { SecretBox } from './platform/crypto/secret-box';
import type { JobQueue } from './platform/jobs/job-queue';
import type { WhatsAppServices } from './modules/whatsapp-services';
import type { RateLimits } from './platform/rate-limit/rate-limits';

/**
 * Everything resolvers and services may use, built once at start-up by the composition root
 * (src/app.ts) and passed to each resolver's constructor.
 */
export interface AppServices {
  config: Config;
  log: Logger;
  control: DataSource;
  tokens: TokenService;
  /** Users' current roles in tenants (a removal or role change applies before their token expires). */
  memberships: MembershipRoles;
  budget: ConnectionBudget;
  /** Postgres servers tenants live on; invalidate() after moving one. */
  servers: DatabaseServers;
  registry: TenantRegistry;
  router: TenantRouter;
  provisioner: TenantProvisioner;
  migrator: TenantMigrator;
  tenancyMode: TenancyMode;
  /** Live events to subscribers, across instances. */
  events: TenantEventBus;
  /** Uploaded documents and copied provider media, under DATA_DIR/media. */
  storage: FileStorage;
  /** Encrypts secrets stored in tenant databases (config secrets, provider tokens). */
  secrets: SecretBox;
  /** Durable jobs (pg-boss in the control database). */
  jobs: JobQueue;
  /** Providers, channel routes, webhook ingest and the outbound send queue. */
  whatsapp: WhatsAppServices;
  /** Login back-off, sign-up and request limits, shared by every instance. */
  rateLimits: RateLimits;
}
