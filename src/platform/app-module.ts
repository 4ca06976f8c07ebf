import type { DomainEventConsumer } from './events/domain-event';
import type { Route } from './http/http-server';
import type { QueueDefinition } from './jobs/job-queue';

/** A durable queue a module owns, and how this instance works it. */
export interface ModuleJob {
  queue: QueueDefinition;
  /** Starts this instance's workers; none when the queue only parks jobs (a dead-letter queue). */
  work?(): Promise<void>;
}

/**
 * What a product module contributes to the app (its face, `modules/<name>/<name>.module.ts`,
 * builds it from the narrow services it needs). The composition root (src/app.ts) collects the
 * parts: resolver instances into the schema, routes into the HTTP server, jobs into the queue,
 * consumers into the event dispatcher. Tenant tables are declared separately, as a static list
 * of each face, because the tenant schema is needed when tenancy starts, before modules are built.
 */
export interface AppModule {
  readonly name: string;
  /** type-graphql resolver instances (their classes carry the decorators). */
  readonly resolvers: readonly object[];
  readonly routes: readonly Route[];
  /** Queues in definition order (a dead-letter queue before the queue that uses it). */
  readonly jobs: readonly ModuleJob[];
  readonly eventConsumers: readonly DomainEventConsumer[];
  /** After the server listens and the job queue has started. */
  start?(): Promise<void>;
  /** On shutdown, before the job queue and the tenant pools close. */
  stop?(): Promise<void>;
}
