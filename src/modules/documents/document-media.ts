import type { MediaUrlSigner } from '../../platform/crypto/media-url-signer';
import type { RequestContext } from '../../platform/graphql/request-context';
import { documentById } from './document.loaders';
import type { MediaType } from './media.types';

/**
 * Documents as media of other rows (a message's attachment): batched through the request's
 * document loader, each with a signed URL for its tenant. A deleted document has no media.
 */
export class DocumentMedia {
  constructor(private readonly signer: MediaUrlSigner) {}

  async load(ctx: RequestContext, documentId: string): Promise<MediaType | null> {
    const document = await (await documentById(ctx)).load(documentId);
    if (!document || document.deletedAt) return null;
    const signed = this.signer.sign(ctx.tenant().tenantId, document.id);
    return {
      id: document.id,
      url: signed.url,
      urlExpiresAt: signed.expiresAt,
      mimeType: document.contentType,
      fileName: document.filename,
      sizeBytes: document.sizeBytes,
    };
  }
}
