import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';

/** A stored file as a message shows it: where a browser can load it, without an Authorization header. */
@ObjectType('Media', { simpleResolvers: true, description: 'A file attached to a message' })
export class MediaType {
  @Field(() => ID, { description: 'The document id' }) id: string;
  @Field({
    description:
      'Short-lived signed URL, relative to the API origin, that works without an Authorization header (e.g. in <img src>); refetch after urlExpiresAt',
  })
  url: string;
  @Field({ description: 'When the download URL stops working' }) urlExpiresAt: Date;
  @Field({ description: 'MIME type, e.g. image/jpeg' }) mimeType: string;
  @Field({ description: 'File name' }) fileName: string;
  @Field(() => GraphQLSafeInt, { description: 'Size in bytes' }) sizeBytes: number;
}
