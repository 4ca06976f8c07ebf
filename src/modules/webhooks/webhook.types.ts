import { ArrayMaxSize, ArrayMinSize, IsOptional, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ConnectionType } from '../../platform/graphql/pagination';

/** `*`, an event type (`message.received`) or a family of them (`message.*`). */
const EVENT_TYPE_PATTERN = /^(\*|[a-z][a-z0-9_]*\.(\*|[a-z][a-z0-9_]*))$/;
const EVENT_TYPE_RULE = { each: true, message: 'eventTypes are `*`, a type such as `message.received`, or a family such as `message.*`' };

export enum WebhookDeliveryStatusValue {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatusValue, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a delivery stands',
  valuesConfig: {
    PENDING: { description: 'Waiting for its first attempt or a retry' },
    SUCCEEDED: { description: 'The endpoint answered 2xx' },
    FAILED: { description: 'Every attempt failed (or the endpoint was disabled); redeliverWebhook tries again' },
  },
});

@ObjectType('WebhookEndpoint', { description: "A partner's URL that receives this organisation's events, signed (Standard Webhooks)" })
export class WebhookEndpointType {
  @Field(() => ID, { description: 'The endpoint id' }) id: string;
  @Field({ description: 'Where deliveries are POSTed' }) url: string;
  @Field({ description: 'What the endpoint is for, free text' }) description: string;
  @Field(() => [String], { description: 'Event types delivered: `*`, types such as `message.received`, or families such as `message.*`' })
  eventTypes: string[];
  @Field({ description: 'Whether deliveries are made; false after updateWebhookEndpoint(enabled: false) or after failing for days' })
  enabled: boolean;
  @Field(() => String, { nullable: true, description: 'Why it is disabled; null while enabled' }) disabledReason: string | null;
  @Field(() => Date, { nullable: true, description: 'Since when every delivery failed; null while deliveries succeed' })
  failingSince: Date | null;
  @Field(() => Date, { nullable: true, description: 'Until when the previous secret also signs, after rotateWebhookSecret' })
  previousSecretExpiresAt: Date | null;
  @Field({ description: 'When it was created' }) createdAt: Date;
  @Field({ description: 'When it last changed' }) updatedAt: Date;
}

@ObjectType({ description: 'A new endpoint and its signing secret, shown only this once' })
export class CreatedWebhookEndpoint {
  @Field(() => WebhookEndpointType, { description: 'The endpoint' }) endpoint: WebhookEndpointType;
  @Field({ description: 'The signing secret (`whsec_…`) for verifying deliveries; it is not shown again' }) secret: string;
}

@ObjectType({ description: "An endpoint's new signing secret, shown only this once" })
export class RotatedWebhookSecret {
  @Field(() => WebhookEndpointType, { description: 'The endpoint' }) endpoint: WebhookEndpointType;
  @Field({ description: 'The new signing secret (`whsec_…`); the previous one also signs until endpoint.previousSecretExpiresAt' })
  secret: string;
}

@ObjectType('WebhookAttempt', { description: 'One request made for a delivery' })
export class WebhookAttemptType {
  @Field({ description: 'When the request was made' }) at: Date;
  @Field(() => Int, { nullable: true, description: 'The HTTP status answered; null when none came (timeout, refused, blocked address)' })
  statusCode: number | null;
  @Field(() => Int, { description: 'Milliseconds until the answer (or the failure)' }) latencyMs: number;
  @Field(() => String, { nullable: true, description: 'Why it failed; null on success' }) error: string | null;
}

@ObjectType('WebhookDelivery', { description: 'One event sent (or to be sent) to one endpoint, with its attempts' })
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'The delivery id, for redeliverWebhook' }) id: string;
  @Field(() => ID, { description: 'The event id: the webhook-id header, and the id in the events feed' }) eventId: string;
  @Field({ description: 'The event type' }) eventType: string;
  @Field(() => WebhookDeliveryStatusValue, { description: 'Where it stands' }) status: WebhookDeliveryStatusValue;
  @Field(() => Int, { description: 'Requests made so far' }) attemptCount: number;
  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null once finished' }) nextAttemptAt: Date | null;
  @Field(() => [WebhookAttemptType], { description: 'Every request made, oldest first' }) attempts: WebhookAttemptType[];
  @Field(() => GraphQLJSON, { description: 'The body sent: `{type, timestamp, data}`' }) body: Record<string, unknown>;
  @Field({ description: 'When the event was queued for this endpoint' }) createdAt: Date;
  @Field(() => Date, { nullable: true, description: 'When it succeeded or finally failed' }) completedAt: Date | null;
}

export const WebhookDeliveryConnection = ConnectionType(WebhookDeliveryType);

@InputType({ description: 'A new webhook endpoint' })
export class CreateWebhookEndpointInput {
  @Field({ description: 'An absolute https (or http) URL; private, loopback and link-local addresses are refused in production' })
  @MaxLength(2048)
  url: string;
  @Field(() => [String], { description: '`*` for every event, types such as `message.received`, or families such as `message.*`' })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE_PATTERN, EVENT_TYPE_RULE)
  eventTypes: string[];
  @Field(() => String, { nullable: true, description: 'What the endpoint is for' }) @IsOptional() @MaxLength(500) description?: string;
}

@InputType({ description: 'Changes to a webhook endpoint; omitted fields stay' })
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true, description: 'A new URL' }) @IsOptional() @MaxLength(2048) url?: string;
  @Field(() => [String], { nullable: true, description: 'New event types' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE_PATTERN, EVENT_TYPE_RULE)
  eventTypes?: string[];
  @Field(() => String, { nullable: true, description: 'A new description' }) @IsOptional() @MaxLength(500) description?: string;
  @Field(() => Boolean, { nullable: true, description: 'false pauses deliveries; true resumes them (and clears the failing streak)' })
  @IsOptional()
  enabled?: boolean;
}

@ObjectType('Event', { description: "An entry of the organisation's event log, as the events feed and webhooks carry it" })
export class EventType {
  @Field(() => ID, { description: 'The event id (the webhook-id header of its deliveries)' }) id: string;
  @Field({ description: 'Its position in the log: the cursor to pass as `after` to read what follows' }) seq: string;
  @Field({ description: 'What happened, e.g. `message.received`' }) type: string;
  @Field(() => Int, { description: "The payload's shape version" }) version: number;
  @Field({ description: 'When it happened' }) timestamp: Date;
  @Field(() => ID, { nullable: true, description: 'The record it is about (a conversation, a contact…)' }) subjectId: string | null;
  @Field(() => GraphQLJSON, { description: "The event's payload: the `data` of its webhook body" }) data: Record<string, unknown>;
}

@ObjectType({ description: 'A page of the events feed, oldest first' })
export class EventFeedPage {
  @Field(() => [EventType], { description: 'Events after the cursor, in log order' }) events: EventType[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page (the last event’s seq, or the given cursor when the page is empty)' })
  endCursor: string | null;
  @Field({ description: 'More events are already there to read' }) hasNextPage: boolean;
}
