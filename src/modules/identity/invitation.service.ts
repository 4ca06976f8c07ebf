import crypto from 'node:crypto';
import { IsNull, MoreThan, type EntityManager } from 'typeorm';
import { AppError, ErrorCode, notFound } from '../../platform/errors';
import { Invitation } from '../../platform/control/invitation.entity';
import { Membership, type TenantRole } from '../../platform/control/membership.entity';
import { Tenant } from '../../platform/control/tenant.entity';
import { User } from '../../platform/control/user.entity';
import { hashPassword, verifyPassword } from '../../platform/auth/password-hasher';
import { assertStrongPassword, passwordRules } from './password-policy';
import { InvitationStatus, MemberStatus, type AuthPayload, type InvitationType, type MemberType } from './identity.types';
import { normalizeEmail } from './normalize-email';
import type { IdentityDeps } from './identity.service';
import { IdentityEventType, invitationEvent, memberEvent } from './identity.events';
import type { RequestContext, TenantTransaction } from '../../platform/graphql/request-context';
import { isUuid } from '../../platform/graphql/batch-results';

const INVITATION_TOKEN_PREFIX = 'inv_';
export const hashInvitationToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/** Pending: neither accepted, declined nor revoked, and not expired. */
const pendingWhere = () => ({ acceptedAt: IsNull(), declinedAt: IsNull(), revokedAt: IsNull(), expiresAt: MoreThan(new Date()) });

export function invitationStatus(invitation: Invitation): InvitationStatus {
  if (invitation.acceptedAt) return InvitationStatus.ACCEPTED;
  if (invitation.declinedAt) return InvitationStatus.DECLINED;
  if (invitation.revokedAt) return InvitationStatus.REVOKED;
  return invitation.expiresAt.getTime() <= Date.now() ? InvitationStatus.EXPIRED : InvitationStatus.PENDING;
}

export const toInvitationType = (invitation: Invitation & { tenant: Tenant }): InvitationType => ({
  id: invitation.id,
  email: invitation.email,
  role: invitation.role,
  status: invitationStatus(invitation),
  tenant: invitation.tenant,
  createdAt: invitation.createdAt,
  expiresAt: invitation.expiresAt,
});

/**
 * Joining a tenant takes the consent of the account's owner: an admin's addMember only creates
 * an invitation, whether or not the email has an account (the answer is the same either way, so
 * it tells nothing about other tenants' users). The owner accepts signed in (`acceptInvitation`)
 * or with the token (`acceptInvitationToken`: a new account sets its own password; an existing
 * one proves it knows its password).
 */
export class InvitationService {
  constructor(private readonly deps: IdentityDeps) {}

  /** Inside the tenant's members lock (see MembersResolver), so plan limits hold. */
  async invite(
    manager: EntityManager,
    input: { tenantId: string; email: string; role: TenantRole; invitedByUserId: string | null },
  ): Promise<MemberType> {
    const email = normalizeEmail(input.email);
    const member = await manager
      .getRepository(Membership)
      .createQueryBuilder('m')
      .innerJoin(User, 'u', 'u.id = m.user_id')
      .where('m.tenant_id = :tenantId AND u.email = :email', { tenantId: input.tenantId, email })
      .getExists();
    if (member) throw new AppError(ErrorCode.CONFLICT, 'That person is already a member');
    const repo = manager.getRepository(Invitation);
    // Inviting again replaces the earlier invitation (and its token).
    await repo.update({ tenantId: input.tenantId, email, ...pendingWhere() }, { revokedAt: new Date() });
    const token = `${INVITATION_TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
    const invitation = repo.create({
      tenantId: input.tenantId,
      email,
      role: input.role,
      tokenHash: hashInvitationToken(token),
      invitedByUserId: input.invitedByUserId,
      expiresAt: new Date(Date.now() + this.deps.settings.INVITATION_TTL_HOURS * 3600_000),
      acceptedAt: null,
      declinedAt: null,
      revokedAt: null,
    });
    await repo.insert(invitation);
    const tenant = await manager.getRepository(Tenant).findOneByOrFail({ id: input.tenantId });
    return { ...pendingMember({ ...invitation, tenant }), invitationToken: token };
  }

  /** Pending invitations count against the plan's users, so accepting them cannot overshoot it. */
  countPending(manager: EntityManager, tenantId: string): Promise<number> {
    return manager.getRepository(Invitation).countBy({ tenantId, ...pendingWhere() });
  }

  async pendingForTenant(tenantId: string): Promise<MemberType[]> {
    const invitations = await this.deps.control.getRepository(Invitation).find({
      where: { tenantId, ...pendingWhere() },
      relations: { tenant: true },
      order: { createdAt: 'ASC' },
    });
    return invitations.map(pendingMember);
  }

  async revoke(ctx: Pick<RequestContext, 'controlTransaction'>, tenantId: string, id: string): Promise<boolean> {
    return ctx.controlTransaction(tenantId, async ({ manager, record }) => {
      const invitation = isUuid(id)
        ? await manager.getRepository(Invitation).findOne({ where: { id, tenantId, ...pendingWhere() }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!invitation) throw notFound('Invitation');
      await manager.getRepository(Invitation).update({ id }, { revokedAt: new Date() });
      record(invitationEvent(IdentityEventType.MEMBER_INVITATION_REVOKED, invitation));
      return true;
    });
  }

  /** The signed-in user's pending invitations (to their account's email). */
  async pendingForUser(userId: string): Promise<InvitationType[]> {
    const user = await this.deps.control.getRepository(User).findOneBy({ id: userId });
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Your account no longer exists');
    const invitations = await this.deps.control.getRepository(Invitation).find({
      where: { email: user.email, ...pendingWhere() },
      relations: { tenant: true },
      order: { createdAt: 'ASC' },
    });
    return invitations.map(toInvitationType);
  }

  /** The signed-in user accepts one of their invitations; answers with a token for that tenant. */
  async accept(ctx: Pick<RequestContext, 'controlTransaction'>, userId: string, id: string) {
    const { user, invitation: found } = await this.pendingOfUser(userId, id);
    // The events belong to the inviting tenant; the actor is the caller (a user of another tenant, or of none yet).
    const joined = await ctx.controlTransaction(found.tenantId, async ({ manager, record }) => {
      const invitation = await this.lockPending(manager, { id, email: user.email });
      return this.join(manager, invitation, user, record);
    });
    return this.issue(joined);
  }

  async decline(ctx: Pick<RequestContext, 'controlTransaction'>, userId: string, id: string): Promise<boolean> {
    const { user, invitation: found } = await this.pendingOfUser(userId, id);
    return ctx.controlTransaction(found.tenantId, async ({ manager, record }) => {
      const invitation = await this.lockPending(manager, { id, email: user.email });
      await manager.getRepository(Invitation).update({ id }, { declinedAt: new Date() });
      record(invitationEvent(IdentityEventType.MEMBER_INVITATION_DECLINED, invitation));
      return true;
    });
  }

  /** The user's pending invitation (read before its transaction, to know whose events they are). */
  private async pendingOfUser(userId: string, id: string): Promise<{ user: User; invitation: Invitation }> {
    const user = await this.deps.control.getRepository(User).findOneBy({ id: userId });
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Your account no longer exists');
    const invitation = isUuid(id) ? await this.deps.control.getRepository(Invitation).findOneBy({ id, email: user.email, ...pendingWhere() }) : null;
    if (!invitation) throw notFound('Invitation');
    return { user, invitation };
  }

  /**
   * With the invitation's token: a new email becomes an account with the password given (after the
   * password policy); an existing account must give its own password (counted like a login).
   */
  async acceptWithToken(
    ctx: Pick<RequestContext, 'controlTransaction'>,
    input: { token: string; password: string; name?: string },
    clientAddress: string | null,
  ) {
    const { control, settings: config, rateLimits } = this.deps;
    const tokenHash = hashInvitationToken(input.token.trim());
    const found = await control.getRepository(Invitation).findOne({ where: { tokenHash, ...pendingWhere() } });
    if (!found) throw notFound('Invitation (or it has expired)');
    const existing = await control
      .getRepository(User)
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email: found.email })
      .getOne();
    if (existing) {
      const attempt = await rateLimits.login.begin(found.email, clientAddress);
      if (!(await verifyPassword(existing.passwordHash, input.password))) {
        await rateLimits.login.failed(attempt);
        throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'That email has an account: give its password');
      }
      await rateLimits.login.succeeded(attempt);
    } else {
      const name = input.name?.trim();
      if (!name) throw new AppError(ErrorCode.VALIDATION_FAILED, 'Give your name', { fields: [{ field: 'name', messages: ['name is required for a new account'] }] });
      assertStrongPassword(input.password, passwordRules(config), [found.email, name]);
    }
    const passwordHash = existing ? null : await hashPassword(input.password);
    // Nobody is signed in here: the events name the accepting account (its id chosen now when new).
    const userId = existing?.id ?? crypto.randomUUID();
    const joined = await ctx.controlTransaction(found.tenantId, async ({ manager, record }) => {
      const invitation = await this.lockPending(manager, { id: found.id });
      let user = existing ?? (await manager.getRepository(User).findOneBy({ email: invitation.email }));
      if (!user) {
        user = manager.getRepository(User).create({ id: userId, email: invitation.email, name: input.name!.trim(), passwordHash: passwordHash! });
        await manager.getRepository(User).insert(user);
      } else if (!existing) {
        // The account was made meanwhile (say, by signUp): its password, not this one, stands.
        throw new AppError(ErrorCode.CONFLICT, 'That email now has an account: sign in and accept the invitation');
      }
      return this.join(manager, invitation, user, record);
    }, { actor: { kind: 'USER', id: userId } });
    return this.issue(joined);
  }

  private async lockPending(manager: EntityManager, where: { id: string; email?: string }): Promise<Invitation & { tenant: Tenant }> {
    const invitation = await manager
      .getRepository(Invitation)
      .findOne({ where: { ...where, ...pendingWhere() }, lock: { mode: 'pessimistic_write' } });
    if (!invitation) throw notFound('Invitation');
    const tenant = await manager.getRepository(Tenant).findOneByOrFail({ id: invitation.tenantId });
    return Object.assign(invitation, { tenant });
  }

  private async join(manager: EntityManager, invitation: Invitation & { tenant: Tenant }, user: User, record: TenantTransaction['record']) {
    const { registry } = this.deps;
    const tenantId = invitation.tenantId;
    const { planLimits } = await registry.findActive(tenantId);
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`members:${tenantId}`]);
    if (await manager.getRepository(Membership).existsBy({ tenantId, userId: user.id })) {
      throw new AppError(ErrorCode.CONFLICT, 'You are already a member of that organisation');
    }
    const count = await manager.getRepository(Membership).countBy({ tenantId });
    if (planLimits.maxUsers !== null && count >= planLimits.maxUsers) {
      throw new AppError(ErrorCode.PLAN_LIMIT_REACHED, `The organisation's plan allows ${planLimits.maxUsers} users`, { limit: planLimits.maxUsers });
    }
    await manager.getRepository(Membership).insert({ tenantId, userId: user.id, role: invitation.role });
    await manager.getRepository(Invitation).update({ id: invitation.id }, { acceptedAt: new Date() });
    record(memberEvent(IdentityEventType.MEMBER_ADDED, { userId: user.id, role: invitation.role }));
    return { user, tenant: invitation.tenant, role: invitation.role };
  }

  /** After commit: the new member's requests here see the membership at once. */
  private issue(joined: { user: User; tenant: Tenant; role: TenantRole }): AuthPayload {
    this.deps.identityChanges.memberChanged(joined.user.id, joined.tenant.id);
    const { token, expiresAt } = this.deps.tokens.signUser({ userId: joined.user.id, tenantId: joined.tenant.id, role: joined.role });
    return { token, expiresAt, ...joined };
  }
}

/** A PENDING member: the invitation, and nothing of any account the email may have. */
export function pendingMember(invitation: Invitation & { tenant: Tenant }): MemberType {
  return {
    user: { id: invitation.id, email: invitation.email, name: invitation.email },
    role: invitation.role,
    joinedAt: invitation.createdAt,
    status: MemberStatus.PENDING,
    email: invitation.email,
    invitation: toInvitationType(invitation),
    invitationToken: null,
  };
}
