import { pipeline } from 'node:stream/promises';
import { isUUID } from 'class-validator';
import { AppError, ErrorCode } from '../../platform/errors';
import type { Authenticator } from '../../platform/auth/authenticator';
import { sendJson, type Route } from '../../platform/http/http-server';
import type { FileStorage } from '../../platform/storage/file-storage';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';

const PATH = /^\/documents\/([^/]+)\/content$/;

const STATUS_BY_CODE: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.TENANT_NOT_FOUND]: 403,
  [ErrorCode.TENANT_NOT_ACTIVE]: 403,
  [ErrorCode.CONNECTION_BUDGET_EXHAUSTED]: 503,
};

/**
 * `GET /documents/:id/content`: a document's bytes (uploads and media copied from providers), for
 * signed-in users of its tenant only. The tenant comes from the verified token, so another
 * tenant's document id is simply not found. Always served as an attachment with nosniff and a
 * sandboxing CSP. (Minimal version written on the whatsapp branch; crm-rest owns this route.)
 */
export function documentContentRoute(deps: { authenticator: Authenticator; router: TenantRouter; storage: FileStorage }): Route {
  return {
    method: 'GET',
    path: PATH,
    handler: async (req, res) => {
      const id = PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname)?.[1] ?? '';
      try {
        const auth = await deps.authenticator.authenticate(req.headers.authorization);
        if (!auth) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
        if (auth.identity.kind === 'platformAdmin') throw new AppError(ErrorCode.FORBIDDEN, 'Platform admins do not act inside tenants');
        const tenantId = auth.identity.tenantId;
        const document = isUUID(id)
          ? await deps.router.withTenant(tenantId, async (manager) => {
              const rows: Array<{ filename: string; content_type: string; storage_key: string; sha256: string }> = await manager.query(
                'SELECT filename, content_type, storage_key, sha256 FROM documents WHERE id = $1 AND deleted_at IS NULL',
                [id],
              );
              return rows[0] ?? null;
            })
          : null;
        const file = document ? await deps.storage.open(document.storage_key) : null;
        if (!document || !file) return sendJson(res, 404, { error: 'not found' });
        const ascii = document.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
        res.writeHead(200, {
          'content-type': document.content_type,
          'content-length': file.sizeBytes,
          'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(document.filename)}`,
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; sandbox",
          'cache-control': 'private, no-cache',
          etag: `"${document.sha256.trim()}"`,
        });
        await pipeline(file.stream, res);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const status = STATUS_BY_CODE[error.code] ?? 400;
        if (status === 401) res.setHeader('www-authenticate', 'Bearer');
        sendJson(res, status, { error: error.message, code: error.code });
      }
    },
  };
}
