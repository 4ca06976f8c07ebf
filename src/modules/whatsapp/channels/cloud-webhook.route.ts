import { answerVerifyChallenge } from '../../../channels/cloud/cloud-verify-challenge';
import { CLOUD_SIGNATURE_HEADER, verifyCloudSignature } from '../../../channels/cloud/cloud-signature';
import { parseCloudWebhook } from '../../../channels/cloud/cloud-webhook-parser';
import { WEBHOOK_PATHS } from '../../../channels/provider-registry';
import { rawBody, sendJson, type Route } from '../../../platform/http/http-server';
import type { Logger } from '../../../platform/logger';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import type { ChannelEventIngest, IngestOutcome } from '../inbound/channel-event-ingest';
import type { ChannelRouteCache, ChannelTarget } from './channel-route-cache';
import type { SessionProviders } from './session-providers';
import { sendIngestOutcome, sendWebhookError } from './webhook-response';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * `GET /webhooks/whatsapp-cloud`: Meta's subscription check (echo `hub.challenge` when
 * `hub.verify_token` is CLOUD_VERIFY_TOKEN, else 403).
 * `POST /webhooks/whatsapp-cloud`: one body may carry changes for several phone numbers. Each
 * number routes to its channel, and the body's `X-Hub-Signature-256` must verify with EVERY
 * routed channel's app secret before anything is stored: a tenant knowing its own app secret must
 * not be able to slip events for another tenant's number into a body it signed.
 */
export function cloudWebhookRoutes(deps: {
  verifyToken: string | undefined;
  routes: ChannelRouteCache;
  providers: SessionProviders;
  router: TenantRouter;
  ingest: Pick<ChannelEventIngest, 'ingest'>;
  log: Logger;
}): Route[] {
  const appSecretOf = (target: ChannelTarget) =>
    deps.router.withTenant(target.tenantId, async (manager) => (await deps.providers.get(target.tenantId, target.sessionId, manager)).appSecret);

  return [
    {
      method: 'GET',
      path: WEBHOOK_PATHS.CLOUD,
      handler: (req, res) => {
        const answer = answerVerifyChallenge(new URL(req.url, 'http://localhost').searchParams, deps.verifyToken);
        if (!answer.ok) return sendJson(res, answer.status, { error: answer.reason });
        return res.code(200).type('text/plain; charset=utf-8').send(answer.body);
      },
    },
    {
      method: 'POST',
      path: WEBHOOK_PATHS.CLOUD,
      maxBodyBytes: MAX_BODY_BYTES,
      webhookProvider: 'cloud',
      handler: async (req, res) => {
        const body = rawBody(req);
        try {
          // The app secret depends on the number, so the body is parsed (strictly) before the check.
          const parsed = parseCloudWebhook(body);
          const routed: Array<{ target: ChannelTarget; events: (typeof parsed.byRoutingKey)[number]['events'] }> = [];
          for (const group of parsed.byRoutingKey) {
            const target = await deps.routes.find('CLOUD', group.routingKey);
            if (target) routed.push({ target, events: group.events });
            else req.log.warn({ phoneNumberId: group.routingKey }, 'Cloud API webhook for an unknown phone number');
          }
          if (routed.length === 0) {
            return parsed.byRoutingKey.length === 0 ? sendJson(res, 200, { ok: true, ignored: parsed.ignored.length }) : sendJson(res, 404, { error: 'unknown phone number' });
          }
          for (const { target } of routed) {
            const secret = await appSecretOf(target);
            if (!secret || !verifyCloudSignature(body, req.headers[CLOUD_SIGNATURE_HEADER], secret)) {
              return sendJson(res, 401, { error: 'invalid signature' });
            }
          }
          const total: IngestOutcome = { stored: 0, duplicates: 0, ignored: 0, retry: 0 };
          for (const { target, events } of routed) {
            const outcome = await deps.ingest.ingest(target, events);
            total.stored += outcome.stored;
            total.duplicates += outcome.duplicates;
            total.ignored += outcome.ignored;
            total.retry += outcome.retry;
          }
          return sendIngestOutcome(res, total);
        } catch (error) {
          return sendWebhookError(res, error, req.log);
        }
      },
    },
  ];
}
