import { IsISO31661Alpha2, IsISO4217CurrencyCode, IsOptional, MaxLength } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, InputType, ObjectType } from 'type-graphql';

@ObjectType('MasterConfig', { description: "The tenant's business profile" })
export class MasterConfigType {
  @Field({ description: 'The business name shown to customers' }) businessName: string;
  @Field({ description: 'IANA time zone, e.g. Europe/Berlin' }) timezone: string;
  @Field({ description: 'ISO 4217, e.g. EUR' }) currency: string;
  @Field({ description: 'BCP 47, e.g. pt-BR' }) locale: string;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2: phone numbers typed without a country code are read as this country\'s' })
  defaultCountry: string | null;
  @Field({ description: 'When the settings last changed' }) updatedAt: Date;
}

@InputType({ description: 'Only the fields given change' })
export class UpdateMasterConfigInput {
  @Field({ description: 'The business name shown to customers, at most 200 characters', nullable: true }) @IsOptional() @MaxLength(200) businessName?: string;
  @Field({ nullable: true, description: 'IANA time zone name' }) @IsOptional() @MaxLength(64) timezone?: string;
  @Field({ nullable: true, description: 'ISO 4217, upper case' }) @IsOptional() @IsISO4217CurrencyCode() currency?: string;
  @Field({ nullable: true, description: 'BCP 47 language tag' }) @IsOptional() @MaxLength(35) locale?: string;
  @Field(() => String, { nullable: true, description: "ISO 3166-1 alpha-2, upper case, e.g. GB; null clears it" })
  @IsOptional()
  @IsISO31661Alpha2()
  defaultCountry?: string | null;
}

@ObjectType('TenantConfigEntry', { description: "A tenant setting. A secret's value is write-only: only hasValue tells it is set" })
export class TenantConfigEntryType {
  @Field({ description: 'The configuration key' }) key: string;
  @Field({ description: 'Whether the value is a secret, which is never returned' }) isSecret: boolean;
  @Field({ description: 'Whether a value is set' }) hasValue: boolean;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Always null for secrets' }) value: unknown;
  @Field({ description: 'When the entry last changed' }) updatedAt: Date;
}
