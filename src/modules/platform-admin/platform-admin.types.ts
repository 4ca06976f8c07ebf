import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { IsEmail, MaxLength } from 'class-validator';
import { TenantStatus } from '../../platform/control/tenant.entity';
import { ConnectionType } from '../../platform/graphql/pagination';
import { TenantType } from '../identity/identity.module';

@ObjectType({ description: 'A session token for a platform operator' })
export class PlatformAuthPayload {
  @Field({ description: 'Bearer token for the Authorization header' }) token: string;
  @Field({ description: 'When the token stops being accepted' }) expiresAt: Date;
}

@InputType({ description: 'Platform operator credentials' })
export class PlatformLoginInput {
  @Field({ description: 'The operator\'s email address' }) @IsEmail() @MaxLength(320) email: string;
  @Field({ description: 'The operator\'s password' }) @MaxLength(200) password: string;
}

@ObjectType('TenantDetails', { description: 'An organisation as the platform operator sees it' })
export class TenantDetailsType extends TenantType {
  @Field({ description: 'How the organisation\'s data is isolated' }) mode: string;
  @Field(() => String, { description: 'The last migration applied to its data; null before provisioning', nullable: true }) schemaVersion: string | null;
  @Field(() => String, { description: 'The last provisioning error; null when there is none', nullable: true }) lastError: string | null;
  @Field({ description: 'When the organisation was created' }) createdAt: Date;
}

export const TenantDetailsConnection = ConnectionType(TenantDetailsType);

@InputType({ description: 'Narrows the organisations; omitted fields do not filter' })
export class TenantFilter {
  @Field(() => TenantStatus, { description: 'Only organisations in this status', nullable: true }) status?: TenantStatus;
}

@ObjectType({ description: 'Connection pool figures of this server instance' })
export class TenancyStats {
  @Field({ description: 'How tenant data is isolated (the TENANCY_MODE setting)' }) tenancyMode: string;
  @Field(() => Int, { description: 'Tenant data sources currently open' }) liveDataSources: number;
  @Field(() => Int, { description: 'Most database connections the router may hold' }) connectionBudget: number;
  @Field(() => Int, { description: 'Connection budget slots currently taken' }) budgetSlotsInUse: number;
  @Field(() => Int, { description: 'Database connections currently open' }) connectionsOpen: number;
  @Field(() => Int, { description: 'Database connections currently in use' }) connectionsInUse: number;
  @Field(() => Int, { description: 'Tenant database connections currently leased to requests' }) activeLeases: number;
  @Field(() => Int, { description: 'Requests that had to wait for the connection budget' }) budgetWaits: number;
  @Field(() => Int, { description: 'Requests that timed out waiting for the connection budget' }) budgetTimeouts: number;
  @Field(() => Int, { description: 'Tenant data sources opened since start' }) opened: number;
  @Field(() => Int, { description: 'Tenant data sources closed to free the budget' }) evictions: number;
}
