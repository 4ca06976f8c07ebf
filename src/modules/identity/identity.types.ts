import { IsEmail, IsOptional, IsUUID, Length, MaxLength, MinLength } from 'class-validator';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { TenantRole } from '../../platform/control/membership.entity';
import { TenantStatus } from '../../platform/control/tenant.entity';

registerEnumType(TenantRole, { name: 'TenantRole', description: 'What a member may do in a tenant' });
registerEnumType(TenantStatus, { name: 'TenantStatus' });

@ObjectType('User', { simpleResolvers: true })
export class UserType {
  @Field(() => ID) id: string;
  @Field() email: string;
  @Field() name: string;
}

@ObjectType('Tenant')
export class TenantType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() slug: string;
  @Field(() => TenantStatus) status: TenantStatus;
}

@ObjectType()
export class AuthPayload {
  @Field() token: string;
  @Field() expiresAt: Date;
  @Field(() => UserType) user: UserType;
  @Field(() => TenantType) tenant: TenantType;
  @Field(() => TenantRole) role: TenantRole;
}

@ObjectType()
export class Me {
  @Field(() => UserType) user: UserType;
  @Field(() => TenantType) tenant: TenantType;
  @Field(() => TenantRole) role: TenantRole;
}

@ObjectType('Member')
export class MemberType {
  @Field(() => UserType) user: UserType;
  @Field(() => TenantRole) role: TenantRole;
  @Field() joinedAt: Date;
}

const PASSWORD_RULE = { message: 'password must be 10 to 200 characters' };

@InputType()
export class SignUpInput {
  @Field() @Length(2, 200) organizationName: string;
  @Field() @IsEmail() @MaxLength(320) email: string;
  @Field() @MinLength(10, PASSWORD_RULE) @MaxLength(200, PASSWORD_RULE) password: string;
  @Field() @Length(1, 200) name: string;
}

@InputType()
export class LoginInput {
  @Field() @IsEmail() @MaxLength(320) email: string;
  @Field() @MaxLength(200) password: string;
  @Field(() => ID, { nullable: true, description: 'Needed when the user belongs to several tenants' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

@InputType()
export class AddMemberInput {
  @Field() @IsEmail() @MaxLength(320) email: string;
  @Field() @Length(1, 200) name: string;
  @Field({ description: 'Initial password for a new user; ignored when the email already has an account' })
  @MinLength(10, PASSWORD_RULE)
  @MaxLength(200, PASSWORD_RULE)
  password: string;
  @Field(() => TenantRole) role: TenantRole;
}

@ObjectType('ApiKey')
export class ApiKeyType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => TenantRole) role: TenantRole;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'After this the key stops working; null: until revoked' }) expiresAt: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKeyType) apiKey: ApiKeyType;
  @Field({ description: 'Shown once; only a hash is stored' }) secret: string;
}
