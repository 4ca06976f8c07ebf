import type { AppModule } from '../../platform/app-module';
import { PlatformAdminResolver, type PlatformAdminDeps } from './platform-admin.resolver';

/** Operators' API: tenants, their status and provisioning; control database only. */
export const platformAdminEntities: Function[] = [];

export function createPlatformAdminModule(deps: PlatformAdminDeps): AppModule {
  return {
    name: 'platform-admin',
    resolvers: [new PlatformAdminResolver(deps)],
    routes: [],
    jobs: [],
    eventConsumers: [],
  };
}
