import { rawBody, sendJson, type Route } from '../../../platform/http/http-server';
import type { Logger } from '../../../platform/logger';
import { parseWahaWebhook } from '../../../channels/waha/waha-webhook-parser';
import { verifyWahaSignature, WAHA_SIGNATURE_ALGORITHM_HEADER, WAHA_SIGNATURE_HEADER } from '../../../channels/waha/waha-signature';
import { WEBHOOK_PATHS } from '../../../channels/provider-registry';
import type { ChannelEventIngest } from '../inbound/channel-event-ingest';
import type { ChannelRouteCache } from './channel-route-cache';
import { sendIngestOutcome, sendWebhookError } from './webhook-response';

/** WAHA webhooks are small JSON envelopes (media is fetched by URL, never inlined). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * `POST /webhooks/waha`: the signature (HMAC-SHA512 of the raw body with WAHA_WEBHOOK_HMAC_KEY)
 * is checked before anything is parsed; the session name routes to the tenant through the
 * channel routes. The `metadata` WAHA echoes is never trusted for routing.
 */
export function wahaWebhookRoute(deps: { hmacKey: string | undefined; routes: ChannelRouteCache; ingest: Pick<ChannelEventIngest, 'ingest'>; log: Logger }): Route {
  return {
    method: 'POST',
    path: WEBHOOK_PATHS.WAHA,
    maxBodyBytes: MAX_BODY_BYTES,
    webhookProvider: 'waha',
    handler: async (req, res) => {
      const body = rawBody(req);
      if (!deps.hmacKey) return sendJson(res, 404, { error: 'WAHA is not configured' });
      if (!verifyWahaSignature(body, req.headers[WAHA_SIGNATURE_HEADER], deps.hmacKey, req.headers[WAHA_SIGNATURE_ALGORITHM_HEADER])) {
        return sendJson(res, 401, { error: 'invalid signature' });
      }
      try {
        const parsed = parseWahaWebhook(body);
        if (parsed.events.length === 0) return sendJson(res, 200, { ok: true, ignored: parsed.ignored.length });
        const target = await deps.routes.find('WAHA', parsed.routingKey);
        if (!target) {
          req.log.warn({ session: parsed.routingKey }, 'WAHA webhook for an unknown session');
          return sendJson(res, 404, { error: 'unknown session' });
        }
        return sendIngestOutcome(res, await deps.ingest.ingest(target, parsed.events));
      } catch (error) {
        return sendWebhookError(res, error, req.log);
      }
    },
  };
}
