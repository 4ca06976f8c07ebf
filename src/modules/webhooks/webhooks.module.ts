import type { AppModule } from '../../platform/app-module';
import type { SecretBox } from '../../platform/crypto/secret-box';
import type { EventDispatcher } from '../../platform/events/event-dispatcher';
import type { JobQueue } from '../../platform/jobs/job-queue';
import type { Logger } from '../../platform/logger';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WEBHOOK_DELIVERY_QUEUE, WebhookDeliveries, type WebhookSettings } from './webhook-deliveries';
import { WebhookResolver } from './webhook.resolver';

export const webhooksEntities = [WebhookEndpoint, WebhookDelivery];

/**
 * Partners integrate without polling: signed outgoing webhooks (Standard Webhooks) fed from the
 * event log after commit through a durable queue, and the events feed over the same log.
 */
export function createWebhooksModule(deps: {
  router: TenantRouter;
  jobs: JobQueue;
  secrets: SecretBox;
  dispatcher: EventDispatcher;
  log: Logger;
  settings: WebhookSettings;
}): AppModule {
  const deliveries = new WebhookDeliveries({ ...deps, log: deps.log.child({ component: 'outgoing-webhooks' }) });
  const expireInSeconds = Math.ceil(deps.settings.WEBHOOK_TIMEOUT_MS / 1000) + 60;
  return {
    name: 'webhooks',
    resolvers: [new WebhookResolver({ secrets: deps.secrets, deliveries, allowPrivate: deps.settings.WEBHOOK_ALLOW_PRIVATE })],
    routes: [],
    jobs: [
      {
        // Retries here only cover a crashed or failed worker run; the delivery schedule is the worker's own.
        queue: { name: WEBHOOK_DELIVERY_QUEUE, retryLimit: 5, retryDelaySeconds: 5, retryBackoff: true, expireInSeconds },
        work: () => deliveries.start(),
      },
    ],
    eventConsumers: [deliveries],
  };
}
