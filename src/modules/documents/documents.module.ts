import type { AppModule } from '../../platform/app-module';
import type { Authenticator } from '../../platform/auth/authenticator';
import type { MediaUrlSigner } from '../../platform/crypto/media-url-signer';
import type { FileStorage } from '../../platform/storage/file-storage';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import { documentContentRoute } from './document-content.route';
import { DocumentMedia } from './document-media';
import { Document } from './document.entity';
import { DocumentResolver } from './document.resolver';
import { DocumentService } from './document.service';
import { signedMediaRoute } from './signed-media.route';

export { Document } from './document.entity';
export { DocumentType } from './document.types';
export { documentById } from './document.loaders';
export { DocumentMedia } from './document-media';
export { MediaType } from './media.types';
/** The files of a tenant's documents, for backups, restores and moves. */
export { documentFiles } from './document-files';

export const documentsEntities = [Document];

export interface DocumentsModule extends AppModule {
  /** Documents as other rows' media (a message's attachment), with signed URLs. */
  media: DocumentMedia;
}

/**
 * Uploaded files and copied provider media, with their authenticated download route and the
 * signed-URL route that media fields point at.
 */
export function createDocumentsModule(deps: {
  maxUploadBytes: number;
  storage: FileStorage;
  authenticator: Authenticator;
  router: TenantRouter;
  mediaUrls: MediaUrlSigner;
}): DocumentsModule {
  return {
    name: 'documents',
    resolvers: [new DocumentResolver(new DocumentService({ maxUploadBytes: deps.maxUploadBytes, storage: deps.storage }))],
    routes: [
      documentContentRoute({ authenticator: deps.authenticator, router: deps.router, storage: deps.storage }),
      signedMediaRoute({ signer: deps.mediaUrls, router: deps.router, storage: deps.storage }),
    ],
    jobs: [],
    eventConsumers: [],
    media: new DocumentMedia(deps.mediaUrls),
  };
}
