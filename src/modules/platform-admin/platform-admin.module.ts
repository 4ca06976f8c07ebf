import type { AppModule } from '../../platform/app-module';
import type { FailedWebhookEvents } from '../../platform/webhooks/failed-webhook-events';
import { FailedWebhookEventResolver } from './failed-webhook-event.resolver';
import { PlatformAdminResolver, type PlatformAdminDeps } from './platform-admin.resolver';

/** Operators' API: tenants, their status and provisioning; control database only. */
export const platformAdminEntities: Function[] = [];

export function createPlatformAdminModule(deps: PlatformAdminDeps & { failedWebhookEvents: Pick<FailedWebhookEvents, 'latest'> }): AppModule {
  return {
    name: 'platform-admin',
    resolvers: [new PlatformAdminResolver(deps), new FailedWebhookEventResolver(deps.failedWebhookEvents)],
    routes: [],
    jobs: [],
    eventConsumers: [],
  };
}
