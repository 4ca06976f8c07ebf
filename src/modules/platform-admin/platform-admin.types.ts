import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { IsEmail, MaxLength } from 'class-validator';
import { TenantStatus } from '../../platform/control/tenant.entity';
import { ConnectionType } from '../../platform/graphql/pagination';
import { TenantType } from '../identity/identity.module';

@ObjectType()
export class PlatformAuthPayload {
  @Field() token: string;
  @Field() expiresAt: Date;
}

@InputType()
export class PlatformLoginInput {
  @Field() @IsEmail() @MaxLength(320) email: string;
  @Field() @MaxLength(200) password: string;
}

@ObjectType('TenantDetails')
export class TenantDetailsType extends TenantType {
  @Field() mode: string;
  @Field(() => String, { nullable: true }) schemaVersion: string | null;
  @Field(() => String, { nullable: true }) lastError: string | null;
  @Field() createdAt: Date;
}

export const TenantDetailsConnection = ConnectionType(TenantDetailsType);

@InputType()
export class TenantFilter {
  @Field(() => TenantStatus, { nullable: true }) status?: TenantStatus;
}

@ObjectType({ description: 'Connection pool figures of this server instance' })
export class TenancyStats {
  @Field() tenancyMode: string;
  @Field(() => Int) liveDataSources: number;
  @Field(() => Int) connectionBudget: number;
  @Field(() => Int) budgetSlotsInUse: number;
  @Field(() => Int) connectionsOpen: number;
  @Field(() => Int) connectionsInUse: number;
  @Field(() => Int) activeLeases: number;
  @Field(() => Int) budgetWaits: number;
  @Field(() => Int) budgetTimeouts: number;
  @Field(() => Int) opened: number;
  @Field(() => Int) evictions: number;
}
