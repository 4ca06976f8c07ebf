import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { IdentityChanges } from '../../platform/auth/identity-changes';
import { AppError, ErrorCode, notFound } from '../../platform/errors';
import { Membership, TenantRole } from '../../platform/control/membership.entity';
import { ApiKey } from '../../platform/control/api-key.entity';
import type { User } from '../../platform/control/user.entity';
import type { EntityManager } from 'typeorm';
import { generateApiKey, hashApiKey } from '../../platform/auth/authenticator';
import { Access } from '../../platform/graphql/roles';
import type { RequestContext, TenantTransaction } from '../../platform/graphql/request-context';
import { isUuid } from '../../platform/graphql/batch-results';
import { ApiKeyScope } from '../../platform/auth/api-key-scopes';
import { apiKeyEvent, IdentityEventType, invitationEvent, memberEvent } from './identity.events';
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

  constructor(
    private readonly deps: {
      control: DataSource;
      /** Told after a member's role changes or a key is revoked: caches and open sockets follow at once. */
      identityChanges: Pick<IdentityChanges, 'memberChanged' | 'apiKeyRevoked'>;
      invitations: InvitationService;
    },
  ) {
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
  async addMember(@Arg('input', { description: 'Email and role of the person to invite' }) input: AddMemberInput, @Ctx() ctx: RequestContext): Promise<MemberType> {
    const tenantId = ctx.tenant().tenantId;
    const { maxUsers } = await ctx.tenant().planLimits();
    return ctx.controlTransaction(tenantId, async ({ manager, record }) => {
      // Serialises concurrent additions in one tenant so the plan limit cannot be overshot.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`members:${tenantId}`]);
      const count = (await manager.getRepository(Membership).countBy({ tenantId })) + (await this.invites.countPending(manager, tenantId));
      if (maxUsers !== null && count >= maxUsers) {
        throw new AppError(ErrorCode.PLAN_LIMIT_REACHED, `Your plan allows ${maxUsers} users (pending invitations count)`, { limit: maxUsers });
      }
      const invitedByUserId = ctx.identity?.kind === 'user' ? ctx.identity.userId : null;
      const member = await this.invites.invite(manager, { tenantId, email: input.email, role: input.role, invitedByUserId });
      record(invitationEvent(IdentityEventType.MEMBER_INVITED, member.invitation!));
      return member;
    });
  }

  @Authorized(Access.READ)
  @Query(() => [MemberType], { description: "Your tenant's pending invitations (PENDING members)" })
  pendingMembers(@Ctx() ctx: RequestContext): Promise<MemberType[]> {
    return this.invites.pendingForTenant(ctx.tenant().tenantId);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Boolean, { description: 'Withdraws a pending invitation of your tenant' })
  revokeInvitation(@Arg('id', () => ID, { description: 'The pending invitation to revoke' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.invites.revoke(ctx, ctx.tenant().tenantId, id);
  }

  @Authorized()
  @Query(() => [InvitationType], { description: 'Invitations to your account (its email) that you can accept or decline' })
  invitations(@Ctx() ctx: RequestContext): Promise<InvitationType[]> {
    return this.invites.pendingForUser(this.userId(ctx));
  }

  @Authorized()
  @Mutation(() => AuthPayload, { description: "Joins the inviting organisation; answers a token for it (your other organisations' tokens stay valid)" })
  acceptInvitation(@Arg('id', () => ID, { description: 'The invitation to accept (from Query.invitations)' }) id: string, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return this.invites.accept(ctx, this.userId(ctx), id);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Declines a pending invitation to the signed-in user' })
  declineInvitation(@Arg('id', () => ID, { description: 'The invitation to decline' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.invites.decline(ctx, this.userId(ctx), id);
  }

  private userId(ctx: RequestContext): string {
    if (ctx.identity?.kind !== 'user') throw new AppError(ErrorCode.FORBIDDEN, 'Only users have invitations');
    return ctx.identity.userId;
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => MemberType, { description: 'Changes a member\'s role; refused when it would leave the organisation without an admin' })
  async changeMemberRole(
    @Arg('userId', () => ID, { description: 'The member whose role changes' }) userId: string,
    @Arg('role', () => TenantRole, { description: 'The new role' }) role: TenantRole,
    @Ctx() ctx: RequestContext,
  ): Promise<MemberType> {
    return this.withMembership(ctx, userId, async (manager, membership, record) => {
      if (membership.role === TenantRole.TENANT_ADMIN && role !== TenantRole.TENANT_ADMIN) await this.assertNotLastAdmin(manager, membership.tenantId);
      if (membership.role !== role) {
        await manager.getRepository(Membership).update({ id: membership.id }, { role });
        record(memberEvent(IdentityEventType.MEMBER_ROLE_CHANGED, { userId, role }, membership.role));
      }
      return activeMember(membership.user, role, membership.createdAt);
    });
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Boolean, { description: 'Removes the member from this tenant; their account stays' })
  async removeMember(@Arg('userId', () => ID, { description: 'The member to remove' }) userId: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.withMembership(ctx, userId, async (manager, membership, record) => {
      if (membership.role === TenantRole.TENANT_ADMIN) await this.assertNotLastAdmin(manager, membership.tenantId);
      await manager.getRepository(Membership).delete({ id: membership.id });
      record(memberEvent(IdentityEventType.MEMBER_REMOVED, { userId, role: membership.role }));
      return true;
    });
  }

  @Authorized(Access.ADMIN)
  @Query(() => [ApiKeyType], { description: "This organisation's API keys, revoked ones included, oldest first" })
  apiKeys(@Ctx() ctx: RequestContext): Promise<ApiKeyType[]> {
    return this.deps.control.getRepository(ApiKey).find({ where: { tenantId: ctx.tenant().tenantId }, order: { createdAt: 'ASC' } });
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => CreatedApiKey, { description: 'A key for partner integrations, acting with the given role' })
  async createApiKey(
    @Arg('name', { description: 'What the key is for, 1-100 characters' }) name: string,
    @Arg('role', () => TenantRole, { defaultValue: TenantRole.AGENT, description: 'The role the key acts with' }) role: TenantRole,
    @Ctx() ctx: RequestContext,
    @Arg('expiresAt', () => Date, { nullable: true, description: 'When the key stops working (open sockets close); omit for a key that works until revoked' })
    expiresAt?: Date | null,
    @Arg('scopes', () => [ApiKeyScope], { nullable: true, description: 'What the key may touch besides its role; omitted: ADMIN (everything the role allows). Give partners the fewest' })
    scopes?: ApiKeyScope[] | null,
  ): Promise<CreatedApiKey> {
    if (scopes && scopes.length === 0) throw new AppError(ErrorCode.VALIDATION_FAILED, 'scopes must name at least one scope', { field: 'scopes' });
    if (!name.trim() || name.length > 100) throw new AppError(ErrorCode.VALIDATION_FAILED, 'name must be 1-100 characters', { field: 'name' });
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AppError(ErrorCode.VALIDATION_FAILED, 'expiresAt must be in the future', { field: 'expiresAt' });
    const secret = generateApiKey();
    const tenantId = ctx.tenant().tenantId;
    return ctx.controlTransaction(tenantId, async ({ manager, record }) => {
      const repo = manager.getRepository(ApiKey);
      const apiKey = await repo.save(repo.create({ tenantId, name: name.trim(), role, keyHash: hashApiKey(secret), revokedAt: null, expiresAt: expiresAt ?? null, scopes: [...new Set(scopes ?? [ApiKeyScope.ADMIN])] }));
      record(apiKeyEvent(IdentityEventType.API_KEY_CREATED, apiKey));
      return { apiKey, secret };
    });
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => CreatedApiKey, { description: 'Replaces a key’s secret (shown once); the old secret stops working at once. Name, role, scopes and expiry stay' })
  async rotateApiKey(@Arg('id', () => ID, { description: 'The key' }) id: string, @Ctx() ctx: RequestContext): Promise<CreatedApiKey> {
    const tenantId = ctx.tenant().tenantId;
    const secret = generateApiKey();
    const rotated = await ctx.controlTransaction(tenantId, async ({ manager, record }) => {
      const repo = manager.getRepository(ApiKey);
      const apiKey = isUuid(id) ? await repo.findOne({ where: { id, tenantId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!apiKey || apiKey.revokedAt) throw notFound('API key');
      apiKey.keyHash = hashApiKey(secret);
      const saved = await repo.save(apiKey);
      record(apiKeyEvent(IdentityEventType.API_KEY_ROTATED, saved));
      return { apiKey: saved, secret };
    });
    // Sockets opened with the old secret are checked again at once.
    this.deps.identityChanges.apiKeyRevoked(id, tenantId);
    return rotated;
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Boolean, { description: 'Stops a key at once (open sockets close); true also when it was already revoked' })
  async revokeApiKey(@Arg('id', () => ID, { description: 'The key' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    const tenantId = ctx.tenant().tenantId;
    await ctx.controlTransaction(tenantId, async ({ manager, record }) => {
      const apiKey = isUuid(id) ? await manager.getRepository(ApiKey).findOneBy({ id, tenantId }) : null;
      if (!apiKey) throw notFound('API key');
      if (apiKey.revokedAt) return;
      await manager.getRepository(ApiKey).update({ id }, { revokedAt: new Date() });
      record(apiKeyEvent(IdentityEventType.API_KEY_REVOKED, apiKey));
    });
    this.deps.identityChanges.apiKeyRevoked(id, tenantId);
    return true;
  }

  private async withMembership<T>(
    ctx: RequestContext,
    userId: string,
    work: (manager: EntityManager, membership: Membership, record: TenantTransaction['record']) => Promise<T>,
  ): Promise<T> {
    const tenantId = ctx.tenant().tenantId;
    const result = await ctx.controlTransaction(tenantId, async ({ manager, record }) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`members:${tenantId}`]);
      const membership = isUuid(userId)
        ? await manager.getRepository(Membership).findOne({ where: { tenantId, userId }, relations: { user: true } })
        : null;
      if (!membership) throw notFound('Member');
      return work(manager, membership, record);
    });
    // Committed: the member's next request (and open sockets) here use the new role (or none); elsewhere within the cache TTL.
    this.deps.identityChanges.memberChanged(userId, tenantId);
    return result;
  }

  private async assertNotLastAdmin(manager: EntityManager, tenantId: string): Promise<void> {
    const admins = await manager.getRepository(Membership).countBy({ tenantId, role: TenantRole.TENANT_ADMIN });
    if (admins <= 1) throw new AppError(ErrorCode.CONFLICT, 'A tenant keeps at least one TENANT_ADMIN');
  }
}
