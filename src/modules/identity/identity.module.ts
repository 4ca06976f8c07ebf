import type { AppModule } from '../../platform/app-module';
import { AuthResolver } from './auth.resolver';
import { IdentityService, type IdentityDeps } from './identity.service';
import { InvitationService } from './invitation.service';
import { MembersResolver } from './members.resolver';

export { normalizeEmail } from './identity.service';
export { TenantType, UserType } from './identity.types';
export { passwordProblem, passwordRules } from './password-policy';
export { memberUserByIdLoader } from './member.loaders';

/** Identity lives in the control database: no tenant tables. */
export const identityEntities: Function[] = [];

/** Sign-up, login, the caller, the tenant's members, invitations and API keys. */
export function createIdentityModule(deps: IdentityDeps): AppModule {
  const identity = new IdentityService(deps);
  const invitations = new InvitationService(deps);
  return {
    name: 'identity',
    resolvers: [new AuthResolver(identity, invitations), new MembersResolver({ ...deps, invitations })],
    routes: [],
    jobs: [],
    eventConsumers: [],
  };
}
