import type { AppModule } from '../../platform/app-module';
import type { Authenticator } from '../../platform/auth/authenticator';
import type { FileStorage } from '../../platform/storage/file-storage';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import { documentContentRoute } from './document-content.route';
import { Document } from './document.entity';
import { DocumentResolver } from './document.resolver';
import { DocumentService } from './document.service';

export { Document } from './document.entity';
export { DocumentType } from './document.types';
export { documentById } from './document.loaders';
/** The files of a tenant's documents, for backups, restores and moves. */
export { documentFiles } from './document-files';

export const documentsEntities = [Document];

/** Uploaded files and copied provider media, with their authenticated download route. */
export function createDocumentsModule(deps: {
  maxUploadBytes: number;
  storage: FileStorage;
  authenticator: Authenticator;
  router: TenantRouter;
}): AppModule {
  return {
    name: 'documents',
    resolvers: [new DocumentResolver(new DocumentService({ maxUploadBytes: deps.maxUploadBytes, storage: deps.storage }))],
    routes: [documentContentRoute({ authenticator: deps.authenticator, router: deps.router, storage: deps.storage })],
    jobs: [],
    eventConsumers: [],
  };
}
