import { ApiKey } from '../../platform/control/api-key.entity';
import { PlatformAdmin } from '../../platform/control/platform-admin.entity';
import type { Identity } from '../../platform/graphql/request-context';
import crypto from 'node:crypto';
import { IsNull, MoreThan, type EntityManager } from 'typeorm';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { IdentityChanges } from '../../platform/auth/identity-changes';
import type { TokenService } from '../../platform/auth/token-service';
import type { RateLimits } from '../../platform/rate-limit/rate-limits';
import type { TenantProvisioner } from '../../platform/tenancy/tenant-provisioner';
import type { TenantRegistry } from '../../platform/tenancy/tenant-registry';
import { AppError, ErrorCode } from '../../platform/errors';
import { Membership, TenantRole } from '../../platform/control/membership.entity';
import { Tenant, TenantStatus } from '../../platform/control/tenant.entity';
import { User } from '../../platform/control/user.entity';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../platform/auth/password-hasher';
import { SignUpInvitation } from '../../platform/control/signup-invitation.entity';
import { ViewerKind, type AuthPayload, type CreatedSignUpInvitation, type Me, type Viewer } from './identity.types';
import { normalizeEmail } from './normalize-email';
import { assertStrongPassword, passwordRules } from './password-policy';
import { hashInvitationToken } from './invitation.service';

export { normalizeEmail } from './normalize-email';

/** What identity needs from the platform (control database only). */
export interface IdentityDeps {
  control: DataSource;
  provisioner: TenantProvisioner;
  tokens: TokenService;
  /** Told after a member joins or a role or key changes: caches and open sockets follow at once. */
  identityChanges: Pick<IdentityChanges, 'memberChanged' | 'apiKeyRevoked'>;
  registry: TenantRegistry;
  rateLimits: RateLimits;
  settings: Pick<Config, 'SIGNUP_MODE' | 'INVITATION_TTL_HOURS' | 'PASSWORD_MIN_LENGTH' | 'PASSWORD_MIN_SCORE'>;
}

/**
 * Sign-up, login and the caller's identity, all against the control database. Sign-ups are
 * limited per client address (SIGNUP_RATE_LIMIT) and by SIGNUP_MODE; logins back off per
 * account and per address (see LoginAttemptGuard).
 */
export class IdentityService {
  constructor(private readonly deps: IdentityDeps) {}

  /**
   * Creates the organisation, its admin and its database. The control rows are written in one
   * transaction; provisioning follows and, if it fails, leaves a FAILED tenant that can be retried.
   */
  async signUp(
    input: { organizationName: string; email: string; password: string; name: string; invitationToken?: string },
    clientAddress: string | null = null,
  ): Promise<AuthPayload> {
    const { control, provisioner, settings: config, rateLimits } = this.deps;
    if (config.SIGNUP_MODE === 'closed') throw new AppError(ErrorCode.SIGNUP_CLOSED, 'Sign-up is closed on this server', { mode: 'closed' });
    if (config.SIGNUP_MODE === 'invite' && !input.invitationToken) {
      throw new AppError(ErrorCode.SIGNUP_CLOSED, 'Sign-up needs an invitation (invitationToken)', { mode: 'invite' });
    }
    // Counted before anything is created: each sign-up costs a database.
    await rateLimits.signUp(clientAddress);
    const email = normalizeEmail(input.email);
    // Checked before the transaction: a wrong password of an existing account counts like a
    // failed login (back-off), and a weak new password costs nothing.
    const account = await this.accountWithHash(email);
    if (account) {
      const attempt = await rateLimits.login.begin(email, clientAddress);
      if (!(await verifyPassword(account.passwordHash, input.password))) {
        await rateLimits.login.failed(attempt);
        throw new AppError(ErrorCode.CONFLICT, 'That email already has an account; sign in to add an organisation');
      }
      await rateLimits.login.succeeded(attempt);
    } else {
      assertStrongPassword(input.password, passwordRules(config), [email, input.name, input.organizationName]);
    }
    const { tenant, user } = await control.transaction(async (manager) => {
      if (config.SIGNUP_MODE === 'invite') await this.useSignUpInvitation(manager, email, input.invitationToken!);
      const user = await this.findOrCreateUser(manager, {
        email,
        name: input.name,
        password: input.password,
        provenUserId: account?.id,
        userInputs: [input.organizationName],
      });
      const tenant = await provisioner.createTenant({ name: input.organizationName }, manager);
      await manager.getRepository(Membership).insert({ userId: user.id, tenantId: tenant.id, role: TenantRole.TENANT_ADMIN });
      return { tenant, user };
    });
    await provisioner.provision(tenant.id);
    tenant.status = TenantStatus.ACTIVE;
    return this.issue(user, tenant, TenantRole.TENANT_ADMIN);
  }

  async login(input: { email: string; password: string; tenantId?: string }, clientAddress: string | null = null): Promise<AuthPayload> {
    const email = normalizeEmail(input.email);
    const guard = this.deps.rateLimits.login;
    const attempt = await guard.begin(email, clientAddress);
    const user = await this.deps.control
      .getRepository(User)
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email })
      .getOne();
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
    if (!user || !valid) {
      await guard.failed(attempt);
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Email or password is wrong');
    }
    await guard.succeeded(attempt);

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
    if (membership.tenant.status === TenantStatus.ARCHIVED) {
      throw new AppError(ErrorCode.TENANT_ARCHIVED, 'This organisation is archived; ask the platform operator to restore it', {
        status: membership.tenant.status,
      });
    }
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

  /** Who is calling, for users, API keys and platform admins alike. */
  async viewer(identity: Identity): Promise<Viewer> {
    const { control } = this.deps;
    if (identity.kind === 'platformAdmin') {
      const admin = await control.getRepository(PlatformAdmin).findOneBy({ id: identity.adminId });
      if (!admin) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This platform admin no longer exists');
      return { kind: ViewerKind.PLATFORM_ADMIN, id: admin.id, name: admin.email, tenantId: null, role: null, scopes: null, expiresAt: null };
    }
    if (identity.kind === 'apiKey') {
      const key = await control.getRepository(ApiKey).findOneBy({ id: identity.apiKeyId });
      if (!key) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This API key was revoked');
      return { kind: ViewerKind.API_KEY, id: key.id, name: key.name, tenantId: key.tenantId, role: identity.role, scopes: key.scopes, expiresAt: key.expiresAt };
    }
    const user = await control.getRepository(User).findOneBy({ id: identity.userId });
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Your account no longer exists');
    return { kind: ViewerKind.USER, id: user.id, name: user.name, tenantId: identity.tenantId, role: identity.role, scopes: null, expiresAt: null };
  }

  /**
   * An existing account joins with its own password (proven by the caller, `provenUserId`, or
   * here); otherwise a new account.
   */
  async findOrCreateUser(
    manager: EntityManager,
    input: { email: string; name: string; password: string; provenUserId?: string; userInputs?: string[] },
  ): Promise<User> {
    const existing = await this.accountWithHash(input.email, manager);
    if (existing) {
      if (existing.id !== input.provenUserId && !(await verifyPassword(existing.passwordHash, input.password))) {
        throw new AppError(ErrorCode.CONFLICT, 'That email already has an account; sign in to add an organisation');
      }
      return existing;
    }
    assertStrongPassword(input.password, passwordRules(this.deps.settings), [input.email, input.name, ...(input.userInputs ?? [])]);
    const user = manager.getRepository(User).create({
      email: input.email,
      name: input.name,
      passwordHash: await hashPassword(input.password),
    });
    await manager.getRepository(User).insert(user);
    return user;
  }

  /** A platform admin lets one email sign up while SIGNUP_MODE=invite. */
  async createSignUpInvitation(adminId: string, rawEmail: string): Promise<CreatedSignUpInvitation> {
    const email = normalizeEmail(rawEmail);
    const token = `sup_${crypto.randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + this.deps.settings.INVITATION_TTL_HOURS * 3600_000);
    await this.deps.control
      .getRepository(SignUpInvitation)
      .insert({ email, tokenHash: hashInvitationToken(token), createdByAdminId: adminId, expiresAt, usedAt: null });
    return { email, token, expiresAt };
  }

  /** Marks the invitation used in the sign-up's transaction: a failed sign-up leaves it usable. */
  private async useSignUpInvitation(manager: EntityManager, email: string, token: string): Promise<void> {
    const result = await manager
      .getRepository(SignUpInvitation)
      .update({ tokenHash: hashInvitationToken(token.trim()), email, usedAt: IsNull(), expiresAt: MoreThan(new Date()) }, { usedAt: new Date() });
    if (!result.affected) {
      throw new AppError(ErrorCode.SIGNUP_CLOSED, 'That sign-up invitation is not valid for this email (or was used or has expired)', { mode: 'invite' });
    }
  }

  private accountWithHash(email: string, manager: EntityManager = this.deps.control.manager): Promise<User | null> {
    return manager.getRepository(User).createQueryBuilder('user').addSelect('user.passwordHash').where('user.email = :email', { email }).getOne();
  }

  private issue(user: User, tenant: Tenant, role: TenantRole): AuthPayload {
    const { token, expiresAt } = this.deps.tokens.signUser({ userId: user.id, tenantId: tenant.id, role });
    return { token, expiresAt, user, tenant, role };
  }
}
