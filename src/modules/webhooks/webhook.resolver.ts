import { Arg, Args, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import crypto from 'node:crypto';
import { invalidField, notFound, validationFailed } from '../../platform/errors';
import type { SecretBox } from '../../platform/crypto/secret-box';
import { isUuid } from '../../platform/graphql/batch-results';
import { ConnectionArgs, decodeCursor, pageSize, toConnection, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import { EVENT_COLUMNS, type EventRow } from '../../platform/events/event-log';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { webhookEndpointEvent, WebhookEventType } from './webhook.events';
import { generateWebhookSecret, secretContext } from './webhook-signer';
import { webhookUrlProblem } from './webhook-target';
import type { WebhookDeliveries } from './webhook-deliveries';
import {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointInput,
  EventFeedPage,
  RotatedWebhookSecret,
  UpdateWebhookEndpointInput,
  WebhookDeliveryConnection,
  WebhookDeliveryType,
  WebhookEndpointType,
  type EventType,
} from './webhook.types';

const MAX_ENDPOINTS = 20;
const DEFAULT_GRACE_HOURS = 24;
const FEED_DEFAULT = 100;
const FEED_MAX = 1000;

export interface WebhookResolverDeps {
  secrets: SecretBox;
  deliveries: Pick<WebhookDeliveries, 'queue'>;
  allowPrivate: boolean;
}

/** Outgoing webhooks (tenant admins manage them) and the events feed (anyone who reads). */
@Resolver()
export class WebhookResolver {
  constructor(private readonly deps: WebhookResolverDeps) {}

  @Authorized(Access.ADMIN)
  @Query(() => [WebhookEndpointType], { description: "This organisation's webhook endpoints, oldest first" })
  async webhookEndpoints(@Ctx() ctx: RequestContext): Promise<WebhookEndpoint[]> {
    return (await ctx.tenant().manager()).getRepository(WebhookEndpoint).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => CreatedWebhookEndpoint, { description: 'Adds a webhook endpoint; the answer holds its signing secret, shown only this once' })
  async createWebhookEndpoint(
    @Arg('input', () => CreateWebhookEndpointInput, { description: 'The URL, event types and description' }) input: CreateWebhookEndpointInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreatedWebhookEndpoint> {
    await this.checkUrl(input.url);
    const { tenantId } = ctx.tenant();
    const secret = generateWebhookSecret();
    const endpoint = await ctx.tenant().transaction(async ({ manager, record }) => {
      const repo = manager.getRepository(WebhookEndpoint);
      if ((await repo.count()) >= MAX_ENDPOINTS) throw validationFailed(`An organisation has at most ${MAX_ENDPOINTS} webhook endpoints`);
      const id = crypto.randomUUID();
      const created = await repo.save(
        repo.create({
          id,
          url: input.url,
          description: input.description?.trim() ?? '',
          eventTypes: [...new Set(input.eventTypes)],
          secretSealed: this.deps.secrets.encrypt(secret, secretContext(tenantId, id)),
          previousSecretSealed: null,
          previousSecretExpiresAt: null,
          enabled: true,
          disabledReason: null,
          failingSince: null,
        }),
      );
      record(webhookEndpointEvent(WebhookEventType.ENDPOINT_CREATED, created));
      return created;
    });
    return { endpoint, secret };
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => WebhookEndpointType, { description: "Changes a webhook endpoint's URL, event types, description or whether it is enabled" })
  async updateWebhookEndpoint(
    @Arg('id', () => ID, { description: 'The endpoint' }) id: string,
    @Arg('input', () => UpdateWebhookEndpointInput, { description: 'What changes' }) input: UpdateWebhookEndpointInput,
    @Ctx() ctx: RequestContext,
  ): Promise<WebhookEndpoint> {
    if (input.url !== undefined && input.url !== null) await this.checkUrl(input.url);
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const repo = manager.getRepository(WebhookEndpoint);
      const endpoint = isUuid(id) ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!endpoint) throw notFound('Webhook endpoint');
      if (input.url != null) endpoint.url = input.url;
      if (input.eventTypes != null) endpoint.eventTypes = [...new Set(input.eventTypes)];
      if (input.description != null) endpoint.description = input.description.trim();
      if (input.enabled != null && input.enabled !== endpoint.enabled) {
        endpoint.enabled = input.enabled;
        endpoint.disabledReason = input.enabled ? null : 'Disabled by a member';
        endpoint.failingSince = null;
      }
      const saved = await repo.save(endpoint);
      record(webhookEndpointEvent(WebhookEventType.ENDPOINT_UPDATED, saved));
      return saved;
    });
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Boolean, { description: 'Removes a webhook endpoint and its deliveries; false when there was none' })
  async deleteWebhookEndpoint(@Arg('id', () => ID, { description: 'The endpoint' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    if (!isUuid(id)) return false;
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const repo = manager.getRepository(WebhookEndpoint);
      const endpoint = await repo.findOneBy({ id });
      if (!endpoint) return false;
      await repo.delete({ id });
      record(webhookEndpointEvent(WebhookEventType.ENDPOINT_DELETED, endpoint));
      return true;
    });
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => RotatedWebhookSecret, {
    description: 'Gives an endpoint a new signing secret (shown only this once); the previous one also signs for the grace period, so receivers can switch without losing a delivery',
  })
  async rotateWebhookSecret(
    @Arg('id', () => ID, { description: 'The endpoint' }) id: string,
    @Arg('gracePeriodHours', () => Int, { nullable: true, description: `How long the previous secret also signs, 0-168 hours; default ${DEFAULT_GRACE_HOURS}` })
    gracePeriodHours: number | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<RotatedWebhookSecret> {
    const grace = gracePeriodHours ?? DEFAULT_GRACE_HOURS;
    if (!Number.isInteger(grace) || grace < 0 || grace > 168) throw invalidField('gracePeriodHours', 'gracePeriodHours is 0-168');
    const { tenantId } = ctx.tenant();
    const secret = generateWebhookSecret();
    const endpoint = await ctx.tenant().transaction(async ({ manager, record }) => {
      const repo = manager.getRepository(WebhookEndpoint);
      const found = isUuid(id) ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!found) throw notFound('Webhook endpoint');
      found.previousSecretSealed = grace > 0 ? found.secretSealed : null;
      found.previousSecretExpiresAt = grace > 0 ? new Date(Date.now() + grace * 3600_000) : null;
      found.secretSealed = this.deps.secrets.encrypt(secret, secretContext(tenantId, found.id));
      const saved = await repo.save(found);
      record(webhookEndpointEvent(WebhookEventType.SECRET_ROTATED, saved));
      return saved;
    });
    return { endpoint, secret };
  }

  @Authorized(Access.ADMIN)
  @Query(() => WebhookDeliveryConnection, { description: "An endpoint's deliveries, newest first, with their attempts" })
  async webhookDeliveries(
    @Arg('endpointId', () => ID, { description: 'The endpoint' }) endpointId: string,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<WebhookDeliveryType>> {
    if (!isUuid(endpointId)) throw notFound('Webhook endpoint');
    const manager = await ctx.tenant().manager();
    if (!(await manager.getRepository(WebhookEndpoint).existsBy({ id: endpointId }))) throw notFound('Webhook endpoint');
    const first = pageSize(args);
    const query = manager.getRepository(WebhookDelivery).createQueryBuilder('d').where('d.endpoint_id = :endpointId', { endpointId });
    if (args.after) {
      const [createdAt, id] = decodeCursor(args.after, 2);
      if (typeof createdAt !== 'string' || !isUuid(id) || Number.isNaN(Date.parse(createdAt))) throw validationFailed('Invalid cursor', { field: 'after' });
      query.andWhere('(d.created_at, d.id) < (:createdAt::timestamptz, :id::uuid)', { createdAt, id });
    }
    const rows = await query.orderBy('d.created_at', 'DESC').addOrderBy('d.id', 'DESC').limit(first + 1).getMany();
    return toConnection(
      rows.map((row) => toDeliveryType(row)),
      first,
      (row) => [row.createdAt.toISOString(), row.id],
      () => manager.getRepository(WebhookDelivery).countBy({ endpointId }),
      undefined,
      { afterCursor: Boolean(args.after) },
    );
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => WebhookDeliveryType, { description: 'Sends a delivery again now (one more attempt), whatever its status' })
  async redeliverWebhook(@Arg('deliveryId', () => ID, { description: 'The delivery' }) deliveryId: string, @Ctx() ctx: RequestContext): Promise<WebhookDeliveryType> {
    const { tenantId } = ctx.tenant();
    const delivery = await ctx.tenant().transaction(async ({ manager }) => {
      const repo = manager.getRepository(WebhookDelivery);
      const found = isUuid(deliveryId) ? await repo.findOneBy({ id: deliveryId }) : null;
      if (!found) throw notFound('Webhook delivery');
      const endpoint = await manager.getRepository(WebhookEndpoint).findOneByOrFail({ id: found.endpointId });
      if (!endpoint.enabled) throw validationFailed('The endpoint is disabled: enable it with updateWebhookEndpoint first', { field: 'deliveryId' });
      await repo.update({ id: found.id }, { status: 'PENDING', nextAttemptAt: () => 'now()', completedAt: null } as never);
      return repo.findOneByOrFail({ id: found.id });
    });
    await this.deps.deliveries.queue({ tenantId, deliveryId: delivery.id, endpointId: delivery.endpointId });
    return toDeliveryType(delivery);
  }

  @Authorized(Access.READ)
  @Query(() => EventFeedPage, {
    description:
      "The organisation's event log in order, oldest first, after a cursor: the same events and payloads as webhooks, to catch up after downtime or instead of webhooks. Store endCursor and pass it as `after` next time",
  })
  async events(
    @Arg('after', () => String, { nullable: true, description: 'An event seq (endCursor of the previous page); omitted: from the oldest event kept' })
    after: string | undefined,
    @Arg('types', () => [String], { nullable: true, description: 'Only these event types' }) types: string[] | undefined,
    @Arg('first', () => Int, { nullable: true, description: `Page size, 1-${FEED_MAX}; default ${FEED_DEFAULT}` }) first: number | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<EventFeedPage> {
    const size = first ?? FEED_DEFAULT;
    if (!Number.isInteger(size) || size < 1 || size > FEED_MAX) throw invalidField('first', `first is 1-${FEED_MAX}`);
    if (after != null && !/^\d{1,18}$/.test(after)) throw invalidField('after', 'after is the seq of an event (endCursor)');
    if (types && types.length > 100) throw invalidField('types', 'At most 100 types');
    const manager = await ctx.tenant().manager();
    const params: unknown[] = [after ?? '0', size + 1];
    const typeFilter = types?.length ? `AND type = ANY($3::varchar[])` : '';
    if (types?.length) params.push(types);
    // Only events older than every transaction still writing here: a transaction that took a
    // seq before another committed is still invisible, and a later page must not skip it.
    const rows: EventRow[] = await manager.query(
      `SELECT ${EVENT_COLUMNS} FROM domain_events
        WHERE seq > $1::bigint ${typeFilter}
          AND occurred_at < COALESCE((SELECT min(xact_start) FROM pg_stat_activity
                                       WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()), 'infinity')
        ORDER BY seq LIMIT $2`,
      params,
    );
    const page = rows.slice(0, size);
    const events: EventType[] = page.map((row) => ({
      id: row.id,
      seq: String(row.seq),
      type: row.type,
      version: row.version,
      timestamp: row.occurred_at,
      subjectId: row.subject_id,
      data: row.payload,
    }));
    return { events, endCursor: events.at(-1)?.seq ?? after ?? null, hasNextPage: rows.length > size };
  }

  private async checkUrl(url: string): Promise<void> {
    const problem = await webhookUrlProblem(url, this.deps.allowPrivate);
    if (problem) throw invalidField('url', problem);
  }
}

function toDeliveryType(row: WebhookDelivery): WebhookDeliveryType {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status as WebhookDeliveryType['status'],
    attemptCount: row.attemptCount,
    nextAttemptAt: row.nextAttemptAt,
    attempts: row.attempts.map((attempt) => ({ ...attempt, at: new Date(attempt.at) })),
    body: row.body,
    createdAt: row.createdAt,
    completedAt: row.completedAt,
  };
}
