import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { Document } from './document.entity';
import type { DocumentService } from './document.service';
import { DocumentConnection, DocumentFilter, DocumentType, UploadDocumentInput } from './document.types';

/** Agents upload (they attach files to messages); managers delete; everyone reads. */
@Resolver(() => DocumentType)
export class DocumentResolver {
  constructor(private readonly service: DocumentService) {}

  @Authorized(Access.READ)
  @Query(() => DocumentConnection, { description: 'The organisation\'s documents, paginated' })
  documents(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => DocumentFilter, { description: 'Narrows the list; omitted means all', nullable: true }) filter: DocumentFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Document>> {
    return this.service.list(ctx, args, filter);
  }

  @Authorized(Access.READ)
  @Query(() => DocumentType, { description: 'One document; null when there is no such document', nullable: true })
  document(@Arg('id', () => ID, { description: 'The document\'s ID' }) id: string, @Ctx() ctx: RequestContext): Promise<Document | null> {
    return this.service.get(ctx, id);
  }

  @Authorized(Access.WORK)
  @Mutation(() => DocumentType, { description: 'Stores a document for the organisation' })
  uploadDocument(@Arg('input', () => UploadDocumentInput, { description: 'The document and its metadata' }) input: UploadDocumentInput, @Ctx() ctx: RequestContext): Promise<Document> {
    return this.service.upload(ctx, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean, { description: 'Soft delete: the document disappears from lists and its content URL; the file is kept' })
  deleteDocument(@Arg('id', () => ID, { description: 'The document to delete' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.service.delete(ctx, id);
  }

  @FieldResolver(() => String, { description: 'GET with the same Authorization header; served as an attachment' })
  contentUrl(@Root() document: Document): string {
    return `/documents/${document.id}/content`;
  }
}

