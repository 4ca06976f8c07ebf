import type { DataSource } from 'typeorm';
import { TtlCache } from '../ttl-cache';
import { Membership, type TenantRole } from '../control/membership.entity';

/**
 * A user's current role in a tenant (null: not a member), looked up in the control database and
 * cached briefly. Tokens carry the role they were issued with; requests use this one instead, so
 * removing a member or changing their role takes effect within the cache TTL on every instance
 * (at once on the instance that made the change), not when their token expires.
 */
export class MembershipRoles {
  private readonly roles: TtlCache<string, TenantRole | null>;

  constructor(
    private readonly control: DataSource,
    ttlMs: number,
  ) {
    this.roles = new TtlCache({ ttlMs, maxEntries: 50_000 });
  }

  role(userId: string, tenantId: string): Promise<TenantRole | null> {
    return this.roles.getOrLoad(`${userId}:${tenantId}`, async () => {
      const membership = await this.control.getRepository(Membership).findOne({ where: { userId, tenantId }, select: { role: true } });
      return membership?.role ?? null;
    });
  }

  /** After a membership changed here. */
  forget(userId: string, tenantId: string): void {
    this.roles.delete(`${userId}:${tenantId}`);
  }
}
