import { ArrayMaxSize, IsOptional, MaxLength } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ActorKind } from '../../platform/events/domain-event';
import { ConnectionType } from '../../platform/graphql/pagination';

export enum AuditActorKind {
  USER = 'USER',
  API_KEY = 'API_KEY',
  PLATFORM_ADMIN = 'PLATFORM_ADMIN',
  SYSTEM = 'SYSTEM',
  PROVIDER = 'PROVIDER',
}
registerEnumType(AuditActorKind, {
  name: 'AuditActorKind', valuesConfig: { USER: { description: 'A signed-in member' }, API_KEY: { description: 'An API key' }, PLATFORM_ADMIN: { description: 'A platform operator' }, SYSTEM: { description: 'The server itself (jobs, schedules)' }, PROVIDER: { description: 'A WhatsApp provider (webhooks, acks)' } },
  description: 'Who caused an event: a member, an API key, a platform operator, the server itself, or a WhatsApp provider',
});

@ObjectType('AuditActor', { description: 'Who performed an audited action' })
export class AuditActorType {
  @Field(() => AuditActorKind, { description: 'What kind of actor: a user, an API key, a platform admin, the system or a provider' }) kind: ActorKind;
  @Field(() => String, { nullable: true, description: "The user's, key's or operator's id; the provider's name; null for the system" })
  id: string | null;
}

@ObjectType('AuditEvent', { description: 'One entry of the tenant’s event log: a change someone could care about' })
export class AuditEventType {
  @Field(() => ID, { description: 'The entry\'s ID' }) id: string;
  @Field({ description: '`<aggregate>.<what happened>`, e.g. `conversation.assigned`' }) type: string;
  @Field(() => Int, { description: 'Version of the payload’s shape for this type' }) version: number;
  @Field({ description: 'When the action happened' }) occurredAt: Date;
  @Field(() => AuditActorType, { description: 'Who performed the action' }) actor: AuditActorType;
  @Field(() => ID, { nullable: true, description: 'The row the event is about (a conversation, a contact...)' }) subjectId: string | null;
  @Field(() => GraphQLJSON, { description: 'The event’s data: the changed row as the API shows it, and what changed' })
  payload: Record<string, unknown>;
}

@ObjectType('AuditEventConnection', { description: 'A page of audit log entries' })
export class AuditEventConnection extends ConnectionType(AuditEventType) {}

@InputType({ description: 'Narrows the audit log; omitted fields do not filter' })
export class AuditLogFilter {
  @Field(() => String, { nullable: true, description: 'Only events caused by this user, key or operator' })
  @IsOptional()
  @MaxLength(64)
  actorId?: string | null;

  @Field(() => [String], { nullable: true, description: 'Only these event types' })
  @IsOptional()
  @ArrayMaxSize(50)
  @MaxLength(64, { each: true })
  types?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Events at or after this time' }) since?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Events before this time' }) until?: Date | null;
}
