import { recordChanged } from '../../platform/events/event-payload';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { FileStorage } from '../../platform/storage/file-storage';
import { invalidField, notFound, validationFailed } from '../../platform/errors';
import { containsPattern } from '../../platform/db/like-pattern';
import { pageByCreatedAt } from '../../platform/graphql/keyset-pagination';
import { withDbErrors } from '../../platform/db/pg-errors';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Document, DocumentSource } from './document.entity';
import type { DocumentFilter, UploadDocumentInput } from './document.types';
import { contentMatchesType, isAllowedContentType, normalizeContentType } from './content-types';
import { sanitizeFilename } from './filename';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Uploads and their metadata. Bytes live in FileStorage (content-addressed per tenant); the row
 * points at them. Deleting is soft and keeps the file: a deleted document can be restored, and
 * campaign parts and messages still reference it. A purge of files no row uses is left to a job.
 */
export class DocumentService {
  constructor(private readonly deps: { maxUploadBytes: number; storage: FileStorage }) {}

  async upload(ctx: RequestContext, input: UploadDocumentInput): Promise<Document> {
    const { maxUploadBytes, storage } = this.deps;
    const contentType = normalizeContentType(input.contentType);
    if (!isAllowedContentType(contentType)) throw invalidField('contentType', `Files of type ${contentType} are not accepted`);
    const encoded = input.contentBase64;
    if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) throw invalidField('contentBase64', 'contentBase64 is not valid base64');
    const decodedSize = (encoded.length / 4) * 3 - (encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0);
    if (decodedSize > maxUploadBytes) {
      throw validationFailed(`The file is larger than ${maxUploadBytes} bytes`, {
        fields: [{ field: 'contentBase64', messages: [`at most ${maxUploadBytes} bytes`] }],
        maxBytes: maxUploadBytes,
      });
    }
    if (decodedSize === 0) throw invalidField('contentBase64', 'The file is empty');
    const bytes = Buffer.from(encoded, 'base64');
    if (!contentMatchesType(contentType, bytes)) {
      throw invalidField('contentType', `The content is not ${contentType}`);
    }

    const tenantId = ctx.tenant().tenantId;
    const manager = await ctx.tenant().manager();
    const stored = await storage.put(tenantId, bytes, { maxBytes: maxUploadBytes });
    const repo = manager.getRepository(Document);
    const document = repo.create({
      filename: sanitizeFilename(input.filename),
      contentType,
      sizeBytes: stored.sizeBytes,
      sha256: stored.sha256,
      storageKey: stored.key,
      source: DocumentSource.UPLOAD,
    });
    try {
      await withDbErrors(() =>
        ctx.tenant().transaction(async ({ manager: tx, record }) => {
          await tx.getRepository(Document).insert(document);
          record(recordChanged('document', 'created', document, DOCUMENT_FIELDS));
        }),
      );
    } catch (error) {
      // Nothing stored on failure: drop the file unless another document already uses it.
      if (stored.created && !(await repo.exists({ where: { storageKey: stored.key }, withDeleted: true }))) {
        await storage.delete(stored.key);
      }
      throw error;
    }
    return document;
  }

  async list(ctx: RequestContext, args: ConnectionArgs, filterOrNull: DocumentFilter | null = {}): Promise<Connection<Document>> {
    const filter = filterOrNull ?? {}; // an explicit null filter means none
    const manager = await ctx.tenant().manager();
    const query = manager.getRepository(Document).createQueryBuilder('document');
    if (filter.source) query.andWhere('document.source = :source', { source: filter.source });
    if (filter.search) query.andWhere('document.filename ILIKE :search', { search: containsPattern(filter.search) });
    return pageByCreatedAt(query, args);
  }

  async get(ctx: RequestContext, id: string): Promise<Document | null> {
    return findDocument(await ctx.tenant().manager(), id);
  }

  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    if (!isUUID(id)) throw notFound('Document');
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const document = await findDocument(manager, id);
      if (!document) throw notFound('Document');
      await manager.getRepository(Document).softDelete({ id });
      record(recordChanged('document', 'deleted', document, DOCUMENT_FIELDS));
      return true;
    });
  }
}

const DOCUMENT_FIELDS = ['id', 'filename', 'contentType', 'sizeBytes', 'sha256', 'source', 'createdAt'] as const satisfies ReadonlyArray<
  keyof Document
>;

/** A live (not deleted) document of the manager's tenant, or null; a malformed id finds nothing. */
export function findDocument(manager: EntityManager, id: string): Promise<Document | null> {
  if (!isUUID(id)) return Promise.resolve(null);
  return manager.getRepository(Document).findOneBy({ id });
}
