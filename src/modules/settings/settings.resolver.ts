import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { MasterConfig } from './master-config.entity';
import { MasterConfigService } from './master-config.service';
import { MasterConfigType, TenantConfigEntryType, UpdateMasterConfigInput } from './settings.types';
import type { TenantConfigService } from './tenant-config.service';

/** Everyone reads settings (never a secret's value); TENANT_ADMIN changes them. */
@Resolver()
export class SettingsResolver {
  private readonly master = new MasterConfigService();
  constructor(
    private readonly tenantConfigs: TenantConfigService,
    /** Called after the master config changed (its time zone feeds auto-replies' cached plans). */
    private readonly masterConfigChanged: (tenantId: string) => void,
  ) {}

  @Authorized(Access.READ)
  @Query(() => MasterConfigType, { description: 'The organisation\'s settings' })
  masterConfig(@Ctx() ctx: RequestContext): Promise<MasterConfig> {
    return this.master.get(ctx);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => MasterConfigType, { description: 'Updates the organisation\'s settings; omitted fields keep their value' })
  async updateMasterConfig(@Arg('input', () => UpdateMasterConfigInput, { description: 'The fields to change' }) input: UpdateMasterConfigInput, @Ctx() ctx: RequestContext): Promise<MasterConfig> {
    const config = await this.master.update(ctx, input);
    // The time zone is the auto-replies' fallback for business hours (cached plans).
    this.masterConfigChanged(ctx.tenant().tenantId);
    return config;
  }

  @Authorized(Access.READ)
  @Query(() => [TenantConfigEntryType], { description: `Every key, in key order (a tenant has at most a few hundred)` })
  tenantConfig(@Ctx() ctx: RequestContext): Promise<TenantConfigEntryType[]> {
    return this.tenantConfigs.list(ctx);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => TenantConfigEntryType, { description: 'A plain (readable) value; refused for a key that holds a secret' })
  setTenantConfig(
    @Arg('key', { description: 'The configuration key' }) key: string,
    @Arg('value', () => GraphQLJSON, { nullable: true, description: 'Any JSON; null clears the value (hasValue false)' }) value: unknown,
    @Ctx() ctx: RequestContext,
  ): Promise<TenantConfigEntryType> {
    return this.tenantConfigs.set(ctx, key, value);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => TenantConfigEntryType, { description: 'Stored encrypted; never readable through the API again' })
  setTenantSecret(@Arg('key', { description: 'The configuration key' }) key: string, @Arg('value', { description: 'The secret value; stored encrypted and never readable back' }) value: string, @Ctx() ctx: RequestContext): Promise<TenantConfigEntryType> {
    return this.tenantConfigs.setSecret(ctx, key, value);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Boolean, { description: 'Removes a configuration entry (plain value or secret)' })
  deleteTenantConfig(@Arg('key', { description: 'The key to remove' }) key: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.tenantConfigs.delete(ctx, key);
  }
}
