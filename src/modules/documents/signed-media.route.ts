import { MEDIA_PATH_PREFIX, type MediaUrlSigner } from '../../platform/crypto/media-url-signer';
import { AppError } from '../../platform/errors';
import { isUuid } from '../../platform/graphql/batch-results';
import { sendJson, type Route } from '../../platform/http/http-server';
import type { FileStorage } from '../../platform/storage/file-storage';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import { sendError } from './document-content.route';
import { findDocument } from './document.service';
import { contentDisposition } from './filename';

const PATH = `${MEDIA_PATH_PREFIX}:tenantId/:documentId`;

/** Shown in place (a lightbox, a player); anything else is downloaded. */
const INLINE_TYPES = /^(image|audio|video)\//;

/**
 * `GET /media/:tenantId/:documentId?exp=&sig=`: a document's bytes for whoever holds a URL that
 * `Message.media.url` signed, so `<img src>` works without an Authorization header. The signature
 * (checked before any database work) binds tenant, document and expiry: a tampered or expired URL
 * is 403; a deleted document, or one that is not the named tenant's, is 404. nosniff and a
 * sandboxing CSP as on the authenticated route; cached privately for the URL's remaining life.
 */
export function signedMediaRoute(deps: { signer: MediaUrlSigner; router: TenantRouter; storage: FileStorage }): Route {
  return {
    method: 'GET',
    path: PATH,
    handler: async (req, res) => {
      const { tenantId, documentId } = req.params as { tenantId: string; documentId: string };
      const url = new URL(req.url, 'http://localhost');
      const verdict = deps.signer.verify(tenantId, documentId, url.searchParams.get('exp'), url.searchParams.get('sig'));
      if (!verdict.ok) {
        const error = verdict.reason === 'EXPIRED' ? 'This media link has expired; fetch a new one' : 'This media link is not valid';
        return sendJson(res, 403, { error, code: 'FORBIDDEN', reason: verdict.reason });
      }
      if (!isUuid(tenantId)) return sendJson(res, 404, { error: 'not found', code: 'NOT_FOUND' });
      try {
        const document = await deps.router.withTenant(tenantId, (manager) => findDocument(manager, documentId));
        const file = document ? await deps.storage.open(document.storageKey) : null;
        if (!document || !file) return sendJson(res, 404, { error: 'not found', code: 'NOT_FOUND' });
        return res.code(200).headers({
          'content-type': document.contentType,
          'content-length': file.sizeBytes,
          'content-disposition': contentDisposition(INLINE_TYPES.test(document.contentType) ? 'inline' : 'attachment', document.filename),
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; sandbox",
          'cache-control': `private, max-age=${verdict.remainingSeconds}`,
          etag: `"${document.sha256}"`,
        }).send(file.stream);
      } catch (error) {
        if (error instanceof AppError) return sendError(res, error);
        throw error;
      }
    },
  };
}
