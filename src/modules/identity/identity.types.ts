import { IsEmail, IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { TenantRole } from '../../platform/control/membership.entity';
import { TenantStatus } from '../../platform/control/tenant.entity';
import { API_KEY_SCOPE_MEANINGS, ApiKeyScope } from '../../platform/auth/api-key-scopes';

registerEnumType(ApiKeyScope, {
  name: 'ApiKeyScope',
  description: 'What an API key may touch besides its role; a key may hold several',
  valuesConfig: Object.fromEntries(Object.entries(API_KEY_SCOPE_MEANINGS).map(([scope, description]) => [scope, { description }])),
});

export enum ViewerKind {
  USER = 'USER',
  API_KEY = 'API_KEY',
  PLATFORM_ADMIN = 'PLATFORM_ADMIN',
}
registerEnumType(ViewerKind, {
  name: 'ViewerKind',
  description: 'Who is calling',
  valuesConfig: {
    USER: { description: 'A member signed in with a token' },
    API_KEY: { description: 'A partner integration with an API key' },
    PLATFORM_ADMIN: { description: 'An operator of the platform' },
  },
});

registerEnumType(TenantRole, { name: 'TenantRole', valuesConfig: { TENANT_ADMIN: { description: 'Everything, including members, channels, settings, webhooks and API keys' }, MANAGER: { description: 'Reads, works the inbox and manages contacts, campaigns and other content' }, AGENT: { description: 'Reads and works the inbox (messages, conversations)' }, AUDITOR: { description: 'Reads everything, including the audit log; changes nothing' } }, description: 'What a member may do in a tenant' });
registerEnumType(TenantStatus, {
  name: 'TenantStatus', description: 'Lifecycle state of an organisation',
  valuesConfig: { PROVISIONING: { description: 'Its database is being prepared' }, ACTIVE: { description: 'In normal use' }, SUSPENDED: { description: 'Blocked by a platform operator' }, MAINTENANCE: { description: 'Being moved or restored by an operator; requests are refused until it ends' }, FAILED: { description: 'Provisioning failed; see lastError' }, ARCHIVED: { description: 'Archived by an operator; sign-in is refused until it is restored' }, DELETED: { description: 'Erased by an operator (`tenant:delete`): its data is gone, its record kept anonymised for the audit trail' } },
});

export enum MemberStatus {
  /** A member of the tenant. */
  ACTIVE = 'ACTIVE',
  /** Invited; not a member until the invitation is accepted. */
  PENDING = 'PENDING',
}
registerEnumType(MemberStatus, { name: 'MemberStatus', description: 'Whether a member has joined or is still invited', valuesConfig: { ACTIVE: { description: 'A member of the organisation' }, PENDING: { description: 'Invited; not a member until the invitation is accepted' } } });

export enum InvitationStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(InvitationStatus, { name: 'InvitationStatus', description: 'Where an invitation stands', valuesConfig: { PENDING: { description: 'Waiting for an answer' }, ACCEPTED: { description: 'Accepted; the invitee is a member' }, DECLINED: { description: 'Declined by the invitee' }, REVOKED: { description: 'Withdrawn by an admin' }, EXPIRED: { description: 'Not answered in time' } } });

@ObjectType('User', { description: 'A person with an account', simpleResolvers: true })
export class UserType {
  @Field(() => ID, { description: 'The user\'s ID' }) id: string;
  @Field({ description: 'Email address' }) email: string;
  @Field({ description: 'Display name' }) name: string;
}

@ObjectType('Tenant', { description: 'An organisation (tenant)' })
export class TenantType {
  @Field(() => ID, { description: 'The organisation\'s ID' }) id: string;
  @Field({ description: 'Display name' }) name: string;
  @Field({ description: 'URL-safe unique short name' }) slug: string;
  @Field(() => TenantStatus, { description: 'Lifecycle state of the organisation' }) status: TenantStatus;
}

@ObjectType({ description: 'A session token for a user in one organisation' })
export class AuthPayload {
  @Field({ description: 'Bearer token for the Authorization header' }) token: string;
  @Field({ description: 'When the token stops being accepted' }) expiresAt: Date;
  @Field(() => UserType, { description: 'The signed-in user' }) user: UserType;
  @Field(() => TenantType, { description: 'The organisation the token is for' }) tenant: TenantType;
  @Field(() => TenantRole, { description: 'The user\'s role in the organisation' }) role: TenantRole;
}

@ObjectType({ description: 'The signed-in user and their organisation' })
export class Me {
  @Field(() => UserType, { description: 'The signed-in user' }) user: UserType;
  @Field(() => TenantType, { description: 'The organisation of the token' }) tenant: TenantType;
  @Field(() => TenantRole, { description: 'The user\'s role in the organisation' }) role: TenantRole;
}

@ObjectType('Invitation', { description: 'An offer to join a tenant; nobody joins until the invited email accepts it' })
export class InvitationType {
  @Field(() => ID, { description: 'The invitation\'s ID' }) id: string;
  @Field({ description: 'The invited email address' }) email: string;
  @Field(() => TenantRole, { description: 'The role the invitee gets on accepting' }) role: TenantRole;
  @Field(() => InvitationStatus, { description: 'Where the invitation stands' }) status: InvitationStatus;
  @Field(() => TenantType, { description: 'The organisation that invites' }) tenant: TenantType;
  @Field({ description: 'When the invitation was sent' }) createdAt: Date;
  @Field({ description: 'When the invitation stops being accepted' }) expiresAt: Date;
}

@ObjectType('Member', { description: 'A user\'s membership of the organisation, or a pending invitation' })
export class MemberType {
  @Field(() => UserType, {
    description: 'The member. For a PENDING member, a stand-in holding only the invitation id and the invited email (nothing of any account)',
  })
  user: UserType;
  @Field(() => TenantRole, { description: 'The member\'s role' }) role: TenantRole;
  @Field({ description: 'When they joined; for a PENDING member, when they were invited' }) joinedAt: Date;
  @Field(() => MemberStatus, { description: 'Active member or pending invitation' }) status: MemberStatus;
  @Field({ description: 'The member\'s email address' }) email: string;
  @Field(() => InvitationType, { nullable: true, description: 'For a PENDING member: the invitation' })
  invitation?: InvitationType | null;
  @Field(() => String, {
    nullable: true,
    description: 'Only in the answer of addMember: the token the invitee accepts with (acceptInvitationToken); shown once',
  })
  invitationToken?: string | null;
}

@ObjectType({ description: 'A sign-up invitation just created' })
export class CreatedSignUpInvitation {
  @Field({ description: 'The invited email address' }) email: string;
  @Field({ description: 'Pass to signUp as invitationToken; shown once' }) token: string;
  @Field({ description: 'When the invitation stops being accepted' }) expiresAt: Date;
}

/** Length and strength are checked by the password policy (PASSWORD_MIN_LENGTH, PASSWORD_MIN_SCORE). */
const PASSWORD_RULE = { message: 'password must be at most 200 characters' };

@InputType({ description: 'A new account with its own organisation' })
export class SignUpInput {
  @Field({ description: 'Name of the new organisation, 2-200 characters' }) @Length(2, 200) organizationName: string;
  @Field({ description: 'Email address to sign in with' }) @IsEmail() @MaxLength(320) email: string;
  @Field({ description: 'The new account\'s password' }) @MaxLength(200, PASSWORD_RULE) password: string;
  @Field({ description: 'Your display name, 1-200 characters' }) @Length(1, 200) name: string;
  @Field({ nullable: true, description: "Needed when SIGNUP_MODE=invite: a platform admin's sign-up invitation for this email" })
  @IsOptional()
  @MaxLength(200)
  invitationToken?: string;
}

@InputType({ description: 'Credentials to sign in' })
export class LoginInput {
  @Field({ description: 'The account\'s email address' }) @IsEmail() @MaxLength(320) email: string;
  @Field({ description: 'The account\'s password' }) @MaxLength(200) password: string;
  @Field(() => ID, { nullable: true, description: 'Needed when the user belongs to several tenants' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

@InputType({ description: 'Who to invite, and with which role' })
export class AddMemberInput {
  @Field({ description: 'Email address to invite' }) @IsEmail() @MaxLength(320) email: string;
  @Field({ description: 'Ignored', nullable: true, deprecationReason: 'The invitee chooses their own name when accepting' })
  @IsOptional()
  @Length(1, 200)
  name?: string;
  @Field({ description: 'Ignored', nullable: true, deprecationReason: 'Ignored: the invitee sets their own password (acceptInvitationToken)' })
  @IsOptional()
  @MaxLength(200, PASSWORD_RULE)
  password?: string;
  @Field(() => TenantRole, { description: 'The role the invitee gets on accepting' }) role: TenantRole;
}

@InputType({ description: 'Accepts an invitation by its emailed token' })
export class AcceptInvitationTokenInput {
  @Field({ description: 'The invitation token from the email' }) @Length(1, 200) token: string;
  @Field({ description: 'A new account: the password to set; an existing account: its password' })
  @MaxLength(200, PASSWORD_RULE)
  password: string;
  @Field({ nullable: true, description: 'Your name, for a new account' })
  @IsOptional()
  @Length(1, 200)
  name?: string;
}

@ObjectType('ApiKey', { description: "A partner integration's credential for one organisation; its secret is shown only when created or rotated" })
export class ApiKeyType {
  @Field(() => ID, { description: 'The key id (not the secret)' }) id: string;
  @Field({ description: 'What the key is for' }) name: string;
  @Field(() => TenantRole, { description: 'The role the key acts with' }) role: TenantRole;
  @Field({ description: 'When it was created' }) createdAt: Date;
  @Field(() => Date, { nullable: true, description: 'When it was revoked; null while usable' }) revokedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'After this the key stops working; null: until revoked' }) expiresAt: Date | null;
  @Field(() => [ApiKeyScope], { description: 'What the key may touch besides its role' }) scopes: ApiKeyScope[];
  @Field(() => Date, { nullable: true, description: 'When a request last used it (to the minute); null: never' }) lastUsedAt: Date | null;
}

@ObjectType({ description: 'Who is calling: a member, an API key or a platform admin, and what they may do' })
export class Viewer {
  @Field(() => ViewerKind, { description: 'User, API key or platform admin' }) kind: ViewerKind;
  @Field(() => ID, { description: "The user's, key's or admin's id" }) id: string;
  @Field({ description: "The user's or key's name, or the admin's email" }) name: string;
  @Field(() => ID, { nullable: true, description: 'The organisation acted in; null for a platform admin' }) tenantId: string | null;
  @Field(() => TenantRole, { nullable: true, description: 'The role acted with; null for a platform admin' }) role: TenantRole | null;
  @Field(() => [ApiKeyScope], { nullable: true, description: "An API key's scopes; null for users and admins (not scoped)" })
  scopes: ApiKeyScope[] | null;
  @Field(() => Date, { nullable: true, description: 'When the credential stops working, if it expires' }) expiresAt: Date | null;
}

@ObjectType({ description: 'A key and its secret, shown only this once' })
export class CreatedApiKey {
  @Field(() => ApiKeyType, { description: 'The key' }) apiKey: ApiKeyType;
  @Field({ description: 'Shown once; only a hash is stored' }) secret: string;
}
