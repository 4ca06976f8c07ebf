import { Arg, Authorized, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { invalidField } from '../../platform/errors';
import { Access } from '../../platform/graphql/roles';
import type { FailedWebhookEvents } from '../../platform/webhooks/failed-webhook-events';

const MAX_FIRST = 100;

@ObjectType('FailedWebhookEvent', { description: 'A signed webhook event that could not be stored; answered 2xx and kept here' })
export class FailedWebhookEventType {
  @Field(() => ID, { description: 'The record\'s ID' }) id: string;
  @Field({ description: 'WAHA or CLOUD' }) provider: string;
  @Field(() => ID, { description: 'The organisation concerned; null when it could not be determined', nullable: true }) tenantId: string | null;
  @Field(() => String, { nullable: true, description: "The provider's event id, when it had one" }) eventId: string | null;
  @Field({ description: 'Why processing failed' }) error: string;
  @Field({ description: 'The event as delivered, as JSON text' }) payload: string;
  @Field({ description: 'When the failure was recorded' }) createdAt: Date;
}

/** Operators look at what providers delivered but could not be stored. */
@Resolver()
export class FailedWebhookEventResolver {
  constructor(private readonly failed: Pick<FailedWebhookEvents, 'latest'>) {}

  @Authorized(Access.PLATFORM)
  @Query(() => [FailedWebhookEventType], { description: 'Newest first' })
  failedWebhookEvents(@Arg('first', () => Int, { description: 'How many to return, 1-100; default 20', defaultValue: 20 }) first: number): Promise<FailedWebhookEventType[]> {
    if (first < 1 || first > MAX_FIRST) throw invalidField('first', `first must be 1-${MAX_FIRST}`);
    return this.failed.latest(first);
  }
}
