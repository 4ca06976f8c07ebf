import type { DataSource } from 'typeorm';
import type { AppModule } from '../../platform/app-module';
import type { IdentityChanges } from '../../platform/auth/identity-changes';
import type { TokenService } from '../../platform/auth/token-service';
import type { TenantProvisioner } from '../../platform/tenancy/tenant-provisioner';
import { AuthResolver } from './auth.resolver';
import { IdentityService } from './identity.service';
import { MembersResolver } from './members.resolver';

export { normalizeEmail } from './identity.service';
export { TenantType, UserType } from './identity.types';
export { memberUserByIdLoader } from './member.loaders';

/** Identity lives in the control database: no tenant tables. */
export const identityEntities: Function[] = [];

/** Sign-up, login, the caller, the tenant's members and API keys. */
export function createIdentityModule(deps: {
  control: DataSource;
  provisioner: TenantProvisioner;
  tokens: TokenService;
  identityChanges: Pick<IdentityChanges, 'memberChanged' | 'apiKeyRevoked'>;
}): AppModule {
  const identity = new IdentityService(deps);
  return {
    name: 'identity',
    resolvers: [new AuthResolver(identity), new MembersResolver(deps)],
    routes: [],
    jobs: [],
    eventConsumers: [],
  };
}
