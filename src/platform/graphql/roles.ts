import { TenantRole } from '../control/membership.entity';

export const PLATFORM_ADMIN = 'PLATFORM_ADMIN';

/**
 * Who may do what, used as `@Authorized(Access.MANAGE)`. AUDITOR reads only; AGENT works
 * conversations and messages; MANAGER also manages the CRM; TENANT_ADMIN also users and settings.
 */
export const Access = {
  READ: [TenantRole.TENANT_ADMIN, TenantRole.MANAGER, TenantRole.AGENT, TenantRole.AUDITOR],
  WORK: [TenantRole.TENANT_ADMIN, TenantRole.MANAGER, TenantRole.AGENT],
  MANAGE: [TenantRole.TENANT_ADMIN, TenantRole.MANAGER],
  ADMIN: [TenantRole.TENANT_ADMIN],
  /** The audit log: admins, and auditors who read everything. */
  AUDIT: [TenantRole.TENANT_ADMIN, TenantRole.AUDITOR],
  PLATFORM: [PLATFORM_ADMIN],
} as const satisfies Record<string, readonly string[]>;
