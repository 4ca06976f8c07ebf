import { IsEmail, IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';

/** A person the business talks to. `groups` and `labels` are batched field resolvers. */
@ObjectType('Contact', { description: 'A person the organisation talks to on WhatsApp', simpleResolvers: true })
export class ContactType {
  @Field(() => ID, { description: 'The contact\'s ID' }) id: string;
  @Field({ description: 'Display name' }) name: string;
  @Field(() => String, { nullable: true, description: "E.164 digits without '+', e.g. 15551234567; null when the customer hides their number" })
  phone: string | null;
  @Field(() => String, { nullable: true, description: "WhatsApp's id ('…@lid') of a customer who hides their number" })
  whatsappId: string | null;
  @Field(() => String, { description: 'Email address; null when unknown', nullable: true }) email: string | null;
  @Field(() => String, { description: 'Free-text notes; null when empty', nullable: true }) notes: string | null;
  @Field({ description: 'The contact asked not to receive campaigns' }) optedOut: boolean;
  @Field({ description: 'When the contact was created' }) createdAt: Date;
  @Field({ description: 'When the contact last changed' }) updatedAt: Date;
  /** Not a field: soft-deleted contacts are not listed; loaded contacts of conversations may carry it. */
  deletedAt?: Date | null;
}

export const ContactConnection = ConnectionType(ContactType);

const PHONE_DESCRIPTION = "International number, e.g. '+44 7911 123456' or '447911123456'; stored as E.164 digits";

@InputType({ description: 'A new contact' })
export class CreateContactInput {
  @Field({ description: 'Display name, 1-200 characters' }) @Length(1, 200) name: string;
  @Field({ description: PHONE_DESCRIPTION }) @Length(1, 40) phone: string;
  @Field(() => String, { description: 'Email address, at most 320 characters', nullable: true }) @IsOptional() @IsEmail() @MaxLength(320) email?: string | null;
  @Field(() => String, { description: 'Free-text notes, at most 10,000 characters', nullable: true }) @IsOptional() @MaxLength(10_000) notes?: string | null;
}

/** Omitted fields stay as they are; email and notes can be cleared with null. */
@InputType({ description: 'Changes to a contact; omitted fields keep their value' })
export class UpdateContactInput {
  @Field({ description: 'Display name, 1-200 characters', nullable: true }) @IsOptional() @Length(1, 200) name?: string;
  @Field({ nullable: true, description: PHONE_DESCRIPTION }) @IsOptional() @Length(1, 40) phone?: string;
  @Field(() => String, { description: 'Email address, at most 320 characters', nullable: true }) @IsOptional() @IsEmail() @MaxLength(320) email?: string | null;
  @Field(() => String, { description: 'Free-text notes, at most 10,000 characters', nullable: true }) @IsOptional() @MaxLength(10_000) notes?: string | null;
  @Field({ description: 'The contact asked not to receive campaigns', nullable: true }) @IsOptional() optedOut?: boolean;
}

@InputType({ description: 'Narrows the contacts; omitted fields do not filter' })
export class ContactFilter {
  @Field({ nullable: true, description: 'Prefix of the name, phone digits or email' })
  @IsOptional()
  @MaxLength(100)
  search?: string;

  @Field(() => ID, { description: 'Only contacts in this group', nullable: true }) @IsOptional() @IsUUID() groupId?: string;

  @Field(() => ID, { description: 'Only contacts with this label', nullable: true }) @IsOptional() @IsUUID() labelId?: string;
}
