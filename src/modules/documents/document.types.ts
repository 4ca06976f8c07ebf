import { IsEnum, IsOptional, Length, MaxLength } from 'class-validator';
import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';
import { DocumentSource } from './document.entity';

registerEnumType(DocumentSource, { name: 'DocumentSource', valuesConfig: { UPLOAD: { description: 'Uploaded through the API (uploadDocument)' }, INBOUND_MEDIA: { description: 'Media received in a WhatsApp message' }, CAMPAIGN: { description: 'Attached to a campaign message' } }, description: 'How a document got here' });

@ObjectType('Document', { description: 'A stored file; its bytes are at contentUrl for the tenant\'s signed-in users' })
export class DocumentType {
  @Field(() => ID, { description: 'The document\'s ID' }) id: string;
  @Field({ description: 'Original file name' }) filename: string;
  @Field({ description: 'MIME type, e.g. application/pdf' }) contentType: string;
  @Field(() => GraphQLSafeInt, { description: 'Size in bytes' }) sizeBytes: number;
  @Field({ description: 'Lowercase hex SHA-256 of the content' }) sha256: string;
  @Field(() => DocumentSource, { description: 'How the document got here' }) source: DocumentSource;
  @Field({ description: 'When the document was stored' }) createdAt: Date;
}

export const DocumentConnection = ConnectionType(DocumentType);

@InputType({ description: 'A document to store' })
export class UploadDocumentInput {
  @Field({ description: 'Sanitised: path segments and control characters are dropped' }) @Length(1, 255) filename: string;
  @Field({ description: 'Must be an allowed type, and the bytes must match it' }) @Length(3, 255) contentType: string;
  @Field({ description: 'The file, base64-encoded; at most MAX_UPLOAD_BYTES once decoded' }) contentBase64: string;
}

@InputType({ description: 'Narrows the documents; omitted fields do not filter' })
export class DocumentFilter {
  @Field(() => DocumentSource, { description: 'Only documents from this source', nullable: true }) @IsOptional() @IsEnum(DocumentSource) source?: DocumentSource;
  @Field({ nullable: true, description: 'Part of the filename, case-insensitive' }) @IsOptional() @MaxLength(100) search?: string;
}
