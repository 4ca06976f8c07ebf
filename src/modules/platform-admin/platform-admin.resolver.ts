import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/request-context';
import type { RateLimits } from '../../platform/rate-limit/rate-limits';
import type { DataSource } from 'typeorm';
import type { TokenService } from '../../platform/auth/token-service';
import type { TenancyMode } from '../../platform/control/tenant-placement.entity';
import type { TenantProvisioner } from '../../platform/tenancy/tenant-provisioner';
import type { IdentityChanges } from '../../platform/auth/identity-changes';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import { AppError, ErrorCode, notFound } from '../../platform/errors';
import { PlatformAdmin } from '../../platform/control/platform-admin.entity';
import { Tenant, TenantStatus } from '../../platform/control/tenant.entity';
import { TenantPlacement } from '../../platform/control/tenant-placement.entity';
import { decoyPasswordHash, verifyPassword } from '../../platform/auth/password-hasher';
import { Access } from '../../platform/graphql/roles';
import { ConnectionArgs, decodeCursor, pageSize, toConnection, type Connection } from '../../platform/graphql/pagination';
import { normalizeEmail } from '../identity/identity.module';
import {
  PlatformAuthPayload,
  PlatformLoginInput,
  TenancyStats,
  TenantDetailsConnection,
  TenantDetailsType,
  TenantFilter,
} from './platform-admin.types';

export interface PlatformAdminDeps {
  control: DataSource;
  tokens: TokenService;
  provisioner: TenantProvisioner;
  /** Told after a tenant's status changes: the registry's cache and open sockets follow at once. */
  identityChanges: Pick<IdentityChanges, 'tenantChanged'>;
  router: TenantRouter;
  tenancyMode: TenancyMode;
  rateLimits: RateLimits;
}

/** Operators: list tenants, suspend and reactivate them, retry failed provisioning. */
@Resolver()
export class PlatformAdminResolver {
  constructor(private readonly deps: PlatformAdminDeps) {}

  @Mutation(() => PlatformAuthPayload, { description: 'Signs a platform operator in; answers a platform token' })
  async platformLogin(@Arg('input', { description: 'Operator email and password' }) input: PlatformLoginInput, @Ctx() ctx: RequestContext): Promise<PlatformAuthPayload> {
    const attempt = await this.deps.rateLimits.platformLogin.begin(normalizeEmail(input.email), ctx.clientAddress ?? null);
    const admin = await this.deps.control
      .getRepository(PlatformAdmin)
      .createQueryBuilder('admin')
      .addSelect('admin.passwordHash')
      .where('admin.email = :email', { email: normalizeEmail(input.email) })
      .getOne();
    const valid = await verifyPassword(admin?.passwordHash ?? (await decoyPasswordHash()), input.password);
    if (!admin || !valid) {
      await this.deps.rateLimits.platformLogin.failed(attempt);
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Email or password is wrong');
    }
    await this.deps.rateLimits.platformLogin.succeeded(attempt);
    return this.deps.tokens.signPlatformAdmin(admin.id);
  }

  @Authorized(Access.PLATFORM)
  @Query(() => TenantDetailsConnection, { description: 'All organisations on the platform, paginated' })
  async tenants(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => TenantFilter, { description: 'Narrows the list; omitted means all', nullable: true }) filter?: TenantFilter,
  ): Promise<Connection<TenantDetailsType>> {
    const first = pageSize(args);
    const query = this.deps.control
      .getRepository(Tenant)
      .createQueryBuilder('t')
      .innerJoin(TenantPlacement, 'p', 'p.tenant_id = t.id')
      .select(['t.id AS id', 't.name AS name', 't.slug AS slug', 't.status AS status', 't.created_at AS "createdAt"', 't.created_at::text AS "cursorTime"'])
      .addSelect(['p.mode AS mode', 'p.schema_version AS "schemaVersion"', 'p.last_error AS "lastError"']);
    if (filter?.status) query.andWhere('t.status = :status', { status: filter.status });
    const count = query.clone();
    if (args.after) {
      const [createdAt, id] = decodeCursor(args.after, 2);
      query.andWhere('(t.created_at, t.id) > (CAST(:createdAt AS timestamptz), :id)', { createdAt, id });
    }
    // The cursor carries the timestamp as Postgres text: a JS Date would drop the microseconds.
    const rows: Array<TenantDetailsType & { cursorTime: string }> = await query.orderBy('t.created_at', 'ASC').addOrderBy('t.id', 'ASC').limit(first + 1).getRawMany();
    return toConnection(rows, first, (row) => [row.cursorTime, row.id], () => count.getCount(), undefined, { afterCursor: Boolean(args.after) });
  }

  @Authorized(Access.PLATFORM)
  @Mutation(() => TenantDetailsType, { description: 'ACTIVE → SUSPENDED for an organisation' })
  suspendTenant(@Arg('tenantId', () => ID, { description: 'The organisation to suspend' }) tenantId: string): Promise<TenantDetailsType> {
    return this.transition(tenantId, [TenantStatus.ACTIVE], TenantStatus.SUSPENDED);
  }

  @Authorized(Access.PLATFORM)
  @Mutation(() => TenantDetailsType, { description: 'SUSPENDED → ACTIVE for an organisation' })
  reactivateTenant(@Arg('tenantId', () => ID, { description: 'The organisation to reactivate' }) tenantId: string): Promise<TenantDetailsType> {
    return this.transition(tenantId, [TenantStatus.SUSPENDED], TenantStatus.ACTIVE);
  }

  @Authorized(Access.PLATFORM)
  @Mutation(() => TenantDetailsType, { description: 'Provisions a FAILED (or stuck PROVISIONING) tenant again' })
  async retryTenantProvisioning(@Arg('tenantId', () => ID, { description: 'The organisation whose provisioning to run again' }) tenantId: string): Promise<TenantDetailsType> {
    await this.find(tenantId);
    await this.deps.provisioner.provision(tenantId);
    return this.find(tenantId);
  }

  @Authorized(Access.PLATFORM)
  @Query(() => TenancyStats, { description: 'Platform-wide tenancy mode and database routing figures' })
  tenancyStats(): TenancyStats {
    return { tenancyMode: this.deps.tenancyMode, ...this.deps.router.figures() };
  }

  private async transition(tenantId: string, from: TenantStatus[], to: TenantStatus): Promise<TenantDetailsType> {
    const tenant = await this.find(tenantId);
    if (!from.includes(tenant.status)) {
      throw new AppError(ErrorCode.CONFLICT, `A ${tenant.status.toLowerCase()} tenant cannot become ${to.toLowerCase()}`);
    }
    await this.deps.control.getRepository(Tenant).update({ id: tenantId, status: tenant.status }, { status: to });
    this.deps.identityChanges.tenantChanged(tenantId);
    if (to === TenantStatus.SUSPENDED) {
      const placement = await this.deps.control.getRepository(TenantPlacement).findOneByOrFail({ tenantId });
      await this.deps.router.evictTenant(placement);
    }
    return this.find(tenantId);
  }

  private async find(tenantId: string): Promise<TenantDetailsType> {
    const tenant = await this.deps.control.getRepository(Tenant).findOneBy({ id: tenantId }).catch(() => null);
    if (!tenant) throw notFound('Tenant');
    const placement = await this.deps.control.getRepository(TenantPlacement).findOneBy({ tenantId });
    return {
      ...tenant,
      mode: placement?.mode ?? 'database',
      schemaVersion: placement?.schemaVersion ?? null,
      lastError: placement?.lastError ?? null,
    };
  }
}
