import { IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';

/** A named set of contacts, e.g. a campaign audience. `memberCount` is batched. */
@ObjectType('ContactGroup', { simpleResolvers: true })
export class ContactGroupType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => String, { nullable: true }) description: string | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

export const ContactGroupConnection = ConnectionType(ContactGroupType);

@InputType()
export class CreateContactGroupInput {
  @Field() @Length(1, 100) name: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(2_000) description?: string | null;
}

@InputType()
export class UpdateContactGroupInput {
  @Field({ nullable: true }) @IsOptional() @Length(1, 100) name?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(2_000) description?: string | null;
}
