import type { DataSource, EntityManager } from 'typeorm';
import type { TokenService } from '../../platform/auth/token-service';
import type { TenantProvisioner } from '../../platform/tenancy/tenant-provisioner';
import { AppError, ErrorCode } from '../../platform/errors';
import { Membership, TenantRole } from '../../platform/control/membership.entity';
import { Tenant, TenantStatus } from '../../platform/control/tenant.entity';
import { User } from '../../platform/control/user.entity';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../platform/auth/password-hasher';
import type { AuthPayload, Me } from './identity.types';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Sign-up, login and the caller's identity, all against the control database. */
export class IdentityService {
  constructor(private readonly deps: { control: DataSource; provisioner: TenantProvisioner; tokens: TokenService }) {}

  /**
   * Creates the organisation, its admin and its database. The control rows are written in one
   * transaction; provisioning follows and, if it fails, leaves a FAILED tenant that can be retried.
   */
  async signUp(input: { organizationName: string; email: string; password: string; name: string }): Promise<AuthPayload> {
    const { control, provisioner } = this.deps;
    const email = normalizeEmail(input.email);
    const { tenant, user } = await control.transaction(async (manager) => {
      const user = await this.findOrCreateUser(manager, { email, name: input.name, password: input.password });
      const tenant = await provisioner.createTenant({ name: input.organizationName }, manager);
      await manager.getRepository(Membership).insert({ userId: user.id, tenantId: tenant.id, role: TenantRole.TENANT_ADMIN });
      return { tenant, user };
    });
    await provisioner.provision(tenant.id);
    tenant.status = TenantStatus.ACTIVE;
    return this.issue(user, tenant, TenantRole.TENANT_ADMIN);
  }

  async login(input: { email: string; password: string; tenantId?: string }): Promise<AuthPayload> {
    const user = await this.deps.control
      .getRepository(User)
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email: normalizeEmail(input.email) })
      .getOne();
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
    if (!user || !valid) throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Email or password is wrong');

    const memberships = await this.deps.control.getRepository(Membership).find({
      where: { userId: user.id, ...(input.tenantId ? { tenantId: input.tenantId } : {}) },
      relations: { tenant: true },
    });
    if (memberships.length === 0) {
      throw new AppError(ErrorCode.FORBIDDEN, input.tenantId ? 'You are not a member of that tenant' : 'You are not a member of any tenant');
    }
    if (memberships.length > 1) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'You belong to several tenants: choose one with tenantId', {
        field: 'tenantId',
        tenants: memberships.map((m) => ({ id: m.tenant.id, name: m.tenant.name })),
      });
    }
    const [membership] = memberships;
    if (membership.tenant.status !== TenantStatus.ACTIVE) {
      throw new AppError(ErrorCode.TENANT_NOT_ACTIVE, `Tenant is ${membership.tenant.status.toLowerCase()}`, {
        status: membership.tenant.status,
      });
    }
    return this.issue(user, membership.tenant, membership.role);
  }

  async me(identity: { userId: string; tenantId: string; role: TenantRole }): Promise<Me> {
    const { control } = this.deps;
    const [user, tenant] = await Promise.all([
      control.getRepository(User).findOneBy({ id: identity.userId }),
      control.getRepository(Tenant).findOneBy({ id: identity.tenantId }),
    ]);
    if (!user || !tenant) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Your account no longer exists');
    return { user, tenant, role: identity.role };
  }

  /** An existing account joins with its own password (proven here); otherwise a new account. */
  async findOrCreateUser(manager: EntityManager, input: { email: string; name: string; password: string }): Promise<User> {
    const existing = await manager
      .getRepository(User)
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email: input.email })
      .getOne();
    if (existing) {
      if (!(await verifyPassword(existing.passwordHash, input.password))) {
        throw new AppError(ErrorCode.CONFLICT, 'That email already has an account; sign in to add an organisation');
      }
      return existing;
    }
    const user = manager.getRepository(User).create({
      email: input.email,
      name: input.name,
      passwordHash: await hashPassword(input.password),
    });
    await manager.getRepository(User).insert(user);
    return user;
  }

  private issue(user: User, tenant: Tenant, role: TenantRole): AuthPayload {
    const { token, expiresAt } = this.deps.tokens.signUser({ userId: user.id, tenantId: tenant.id, role });
    return { token, expiresAt, user, tenant, role };
  }
}
