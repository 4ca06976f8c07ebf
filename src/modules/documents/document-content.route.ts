import type { FastifyReply } from 'fastify';
import { AppError, ErrorCode } from '../../platform/errors';
import type { Authenticator } from '../../platform/auth/authenticator';
import { sendJson, type Route } from '../../platform/http/http-server';
import type { FileStorage } from '../../platform/storage/file-storage';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import { findDocument } from './document.service';
import { attachmentDisposition } from './filename';

const STATUS_BY_CODE: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.TENANT_NOT_FOUND]: 403,
  [ErrorCode.TENANT_NOT_ACTIVE]: 403,
  [ErrorCode.CONNECTION_BUDGET_EXHAUSTED]: 503,
  [ErrorCode.RATE_LIMITED]: 429,
};

/**
 * `GET /documents/:id/content`: the bytes of a document, for signed-in users of its tenant only.
 * The tenant comes from the verified token, so another tenant's id is simply not found (404).
 * Always an attachment with nosniff and a sandboxing CSP, so an upload never runs as a page of ours.
 * The tenant connection is released before streaming starts.
 */
export function documentContentRoute(deps: { authenticator: Authenticator; router: TenantRouter; storage: FileStorage }): Route {
  return {
    method: 'GET',
    path: '/documents/:id/content',
    handler: async (req, res) => {
      const { id } = req.params as { id: string };
      try {
        const auth = await deps.authenticator.authenticate(req.headers.authorization);
        if (!auth) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
        if (auth.identity.kind === 'platformAdmin') throw new AppError(ErrorCode.FORBIDDEN, 'Platform admins do not act inside tenants');
        const document = await deps.router.withTenant(auth.identity.tenantId, (manager) => findDocument(manager, id));
        const file = document ? await deps.storage.open(document.storageKey) : null;
        if (!document || !file) return sendJson(res, 404, { error: 'not found' });
        return res.code(200).headers({
          'content-type': document.contentType,
          'content-length': file.sizeBytes,
          'content-disposition': attachmentDisposition(document.filename),
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; sandbox",
          'cache-control': 'private, no-cache',
          etag: `"${document.sha256}"`,
        }).send(file.stream);
      } catch (error) {
        if (error instanceof AppError) return sendError(res, error);
        throw error;
      }
    },
  };
}

export function sendError(res: FastifyReply, error: AppError): FastifyReply {
  const status = STATUS_BY_CODE[error.code] ?? 400;
  if (status === 401) res.header('www-authenticate', 'Bearer');
  if (error.extensions.retryAfterSeconds !== undefined) res.header('retry-after', String(error.extensions.retryAfterSeconds));
  return sendJson(res, status, { error: error.message, code: error.code });
}
