import { IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';

/** A named set of contacts, e.g. a campaign audience. `memberCount` is batched. */
@ObjectType('ContactGroup', { description: 'A named set of contacts, e.g. for campaigns', simpleResolvers: true })
export class ContactGroupType {
  @Field(() => ID, { description: 'The group\'s ID' }) id: string;
  @Field({ description: 'Display name' }) name: string;
  @Field(() => String, { description: 'Free-text description; null when empty', nullable: true }) description: string | null;
  @Field({ description: 'When the group was created' }) createdAt: Date;
  @Field({ description: 'When the group last changed' }) updatedAt: Date;
}

export const ContactGroupConnection = ConnectionType(ContactGroupType);

@InputType({ description: 'A new contact group' })
export class CreateContactGroupInput {
  @Field({ description: 'Display name, 1-100 characters' }) @Length(1, 100) name: string;
  @Field(() => String, { description: 'Free-text description, at most 2,000 characters', nullable: true }) @IsOptional() @MaxLength(2_000) description?: string | null;
}

@InputType({ description: 'Changes to a contact group; omitted fields keep their value' })
export class UpdateContactGroupInput {
  @Field({ description: 'Display name, 1-100 characters', nullable: true }) @IsOptional() @Length(1, 100) name?: string;
  @Field(() => String, { description: 'Free-text description, at most 2,000 characters', nullable: true }) @IsOptional() @MaxLength(2_000) description?: string | null;
}
