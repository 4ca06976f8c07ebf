import crypto from 'node:crypto';
import type { Registry } from 'prom-client';
import { sendJson, type Route } from './http-server';

/**
 * `GET /metrics` in Prometheus' text format. With a token (METRICS_TOKEN) the scraper must send
 * `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: ... }`); compared
 * in constant time.
 */
export function metricsRoute(registry: Registry, token: string | undefined): Route {
  const expected = token ? crypto.createHash('sha256').update(token).digest() : null;
  return {
    method: 'GET',
    path: '/metrics',
    handler: async (request, reply) => {
      if (expected) {
        const header = request.headers.authorization ?? '';
        const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
        const digest = crypto.createHash('sha256').update(given).digest();
        if (!crypto.timingSafeEqual(digest, expected)) {
          return sendJson(reply, 401, { error: 'metrics need Authorization: Bearer <METRICS_TOKEN>' }, { 'www-authenticate': 'Bearer' });
        }
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  };
}
