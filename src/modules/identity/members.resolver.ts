import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { MembershipRoles } from '../../platform/auth/membership-roles';
import { AppError, ErrorCode, notFound } from '../../platform/errors';
import { Membership, TenantRole } from '../../platform/control/membership.entity';
import { ApiKey } from '../../platform/control/api-key.entity';
import type { User } from '../../platform/control/user.entity';
import type { EntityManager } from 'typeorm';
import { generateApiKey, hashApiKey } from '../../platform/auth/authenticator';
import { Access } from '../../platform/graphql/roles';
import type { RequestContext } from '../../platform/graphql/request-context';
import { AddMemberInput, ApiKeyType, AuthPayload, CreatedApiKey, InvitationType, MemberStatus, MemberType } from './identity.types';
import type { InvitationService } from './invitation.service';

const activeMember = (user: User, role: TenantRole, joinedAt: Date): MemberType => ({
  user,
  role,
  joinedAt,
  status: MemberStatus.ACTIVE,
  email: user.email,
});

/**
 * The tenant's people and partner keys; TENANT_ADMIN manages, everyone can see the team. People
 * join by invitation only: see InvitationService.
 */
@Resolver()
export class MembersResolver {
  private readonly invites: InvitationService;

  constructor(private readonly deps: { control: DataSource; memberships: MembershipRoles; invitations: InvitationService }) {
    this.invites = deps.invitations;
  }

  @Authorized(Access.READ)
  @Query(() => [MemberType], { description: 'Everyone in your tenant (for assignment pickers)' })
  async members(@Ctx() ctx: RequestContext): Promise<MemberType[]> {
    const memberships = await this.deps.control.getRepository(Membership).find({
      where: { tenantId: ctx.tenant().tenantId },
      relations: { user: true },
      order: { createdAt: 'ASC' },
    });
    return memberships.map((m) => activeMember(m.user, m.role, m.createdAt));
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => MemberType, {
    description:
      'Invites an email (with or without an account) to join as `role`: answers a PENDING member with the invitation token, the same either way. ' +
      'An existing account accepts after signing in (acceptInvitation); a new one sets its password with the token (acceptInvitationToken)',
  })
  async addMember(@Arg('input') input: AddMemberInput, @Ctx() ctx: RequestContext): Promise<MemberType> {
    const tenantId = ctx.tenant().tenantId;
    const { maxUsers } = await ctx.tenant().planLimits();
    return this.deps.control.transaction(async (manager) => {
      // Serialises concurrent additions in one tenant so the plan limit cannot be overshot.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`members:${tenantId}`]);
      const count = (await manager.getRepository(Membership).countBy({ tenantId })) + (await this.invites.countPending(manager, tenantId));
      if (maxUsers !== null && count >= maxUsers) {
        throw new AppError(ErrorCode.PLAN_LIMIT_REACHED, `Your plan allows ${maxUsers} users (pending invitations count)`, { limit: maxUsers });
      }
      const invitedByUserId = ctx.identity?.kind === 'user' ? ctx.identity.userId : null;
      return this.invites.invite(manager, { tenantId, email: input.email, role: input.role, invitedByUserId });
    });
  }

  @Authorized(Access.READ)
  @Query(() => [MemberType], { description: "Your tenant's pending invitations (PENDING members)" })
  pendingMembers(@Ctx() ctx: RequestContext): Promise<MemberType[]> {
    return this.invites.pendingForTenant(ctx.tenant().tenantId);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Boolean, { description: 'Withdraws a pending invitation of your tenant' })
  revokeInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.invites.revoke(ctx.tenant().tenantId, id);
  }

  @Authorized()
  @Query(() => [InvitationType], { description: 'Invitations to your account (its email) that you can accept or decline' })
  invitations(@Ctx() ctx: RequestContext): Promise<InvitationType[]> {
    return this.invites.pendingForUser(this.userId(ctx));
  }

  @Authorized()
  @Mutation(() => AuthPayload, { description: "Joins the inviting organisation; answers a token for it (your other organisations' tokens stay valid)" })
  acceptInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return this.invites.accept(this.userId(ctx), id);
  }

  @Authorized()
  @Mutation(() => Boolean)
  declineInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.invites.decline(this.userId(ctx), id);
  }

  private userId(ctx: RequestContext): string {
    if (ctx.identity?.kind !== 'user') throw new AppError(ErrorCode.FORBIDDEN, 'Only users have invitations');
    return ctx.identity.userId;
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => MemberType)
  async changeMemberRole(
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => TenantRole) role: TenantRole,
    @Ctx() ctx: RequestContext,
  ): Promise<MemberType> {
    return this.withMembership(ctx, userId, async (manager, membership) => {
      if (membership.role === TenantRole.TENANT_ADMIN && role !== TenantRole.TENANT_ADMIN) await this.assertNotLastAdmin(manager, membership.tenantId);
      await manager.getRepository(Membership).update({ id: membership.id }, { role });
      return activeMember(membership.user, role, membership.createdAt);
    });
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Boolean, { description: 'Removes the member from this tenant; their account stays' })
  async removeMember(@Arg('userId', () => ID) userId: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.withMembership(ctx, userId, async (manager, membership) => {
      if (membership.role === TenantRole.TENANT_ADMIN) await this.assertNotLastAdmin(manager, membership.tenantId);
      await manager.getRepository(Membership).delete({ id: membership.id });
      return true;
    });
  }

  @Authorized(Access.ADMIN)
  @Query(() => [ApiKeyType])
  apiKeys(@Ctx() ctx: RequestContext): Promise<ApiKeyType[]> {
    return this.deps.control.getRepository(ApiKey).find({ where: { tenantId: ctx.tenant().tenantId }, order: { createdAt: 'ASC' } });
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => CreatedApiKey, { description: 'A key for partner integrations, acting with the given role' })
  async createApiKey(
    @Arg('name') name: string,
    @Arg('role', () => TenantRole, { defaultValue: TenantRole.AGENT }) role: TenantRole,
    @Ctx() ctx: RequestContext,
  ): Promise<CreatedApiKey> {
    if (!name.trim() || name.length > 100) throw new AppError(ErrorCode.VALIDATION_FAILED, 'name must be 1-100 characters', { field: 'name' });
    const secret = generateApiKey();
    const repo = this.deps.control.getRepository(ApiKey);
    const apiKey = repo.create({ tenantId: ctx.tenant().tenantId, name: name.trim(), role, keyHash: hashApiKey(secret), revokedAt: null });
    await repo.save(apiKey);
    return { apiKey, secret };
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Boolean)
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    const result = await this.deps.control
      .getRepository(ApiKey)
      .update({ id, tenantId: ctx.tenant().tenantId }, { revokedAt: new Date() });
    if (!result.affected) throw notFound('API key');
    return true;
  }

  private async withMembership<T>(
    ctx: RequestContext,
    userId: string,
    work: (manager: EntityManager, membership: Membership) => Promise<T>,
  ): Promise<T> {
    const tenantId = ctx.tenant().tenantId;
    const result = await this.deps.control.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`members:${tenantId}`]);
      const membership = await manager.getRepository(Membership).findOne({ where: { tenantId, userId }, relations: { user: true } });
      if (!membership) throw notFound('Member');
      return work(manager, membership);
    });
    // Committed: the member's next request here uses the new role (or none); elsewhere within the cache TTL.
    this.deps.memberships.forget(userId, tenantId);
    return result;
  }

  private async assertNotLastAdmin(manager: EntityManager, tenantId: string): Promise<void> {
    const admins = await manager.getRepository(Membership).countBy({ tenantId, role: TenantRole.TENANT_ADMIN });
    if (admins <= 1) throw new AppError(ErrorCode.CONFLICT, 'A tenant keeps at least one TENANT_ADMIN');
  }
}
