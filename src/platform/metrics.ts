import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RouterFigures } from './tenancy/tenant-router';

/** GraphQL operation types; `unknown` when a document never resolved to an operation (parse errors). */
export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';
export type Transport = 'http' | 'ws';
/** Which limit refused: bounded, one value per limiter. */
export type RateLimitName = 'api_key' | 'tenant' | 'signup' | 'login';

/** Figures gathered by a sampler (every METRICS_SAMPLE_INTERVAL_MS), never per scrape. */
export interface SampledFigures {
  queues: Array<{ queue: string; depth: number; oldestAgeSeconds: number }>;
  servers: Array<{ server: string; tenants: number; databaseBytes: number; largestTenantBytes: number; connections: number }>;
}

const OPERATION_TYPES = new Set<string>(['query', 'mutation', 'subscription']);

/** Maps anything to a bounded operation label. */
export function operationLabel(operation: string | null | undefined): OperationType {
  return operation && OPERATION_TYPES.has(operation) ? (operation as OperationType) : 'unknown';
}

/**
 * Prometheus metrics: process defaults, the tenant pool figures, and what operators watch on a
 * running fleet. Labels are bounded: operation type, transport, outcome, provider, limit name,
 * job queue and database server names (a handful each) — never a tenant, user or path.
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly graphqlRequests: Counter<'operation' | 'transport' | 'outcome'>;
  readonly graphqlDuration: Histogram<'operation' | 'transport'>;
  readonly webhookRequests: Counter<'provider' | 'outcome'>;
  readonly rateLimitRefusals: Counter<'limit'>;
  readonly eventDispatchLag: Histogram<string>;
  private sampled: SampledFigures = { queues: [], servers: [] };
  private sockets: () => { sockets: number; operations: number } = () => ({ sockets: 0, operations: 0 });

  constructor(figures: () => RouterFigures) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'crm_' });

    this.graphqlRequests = new Counter({
      name: 'crm_graphql_requests_total',
      help: 'GraphQL operations answered, by operation type, transport and outcome (ok: no errors)',
      labelNames: ['operation', 'transport', 'outcome'],
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'crm_graphql_request_duration_seconds',
      help: 'Time to answer a GraphQL operation (subscriptions: until the subscription is set up)',
      labelNames: ['operation', 'transport'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.webhookRequests = new Counter({
      name: 'crm_webhook_requests_total',
      help: 'Provider webhook deliveries by provider and outcome (accepted, retry, bad_signature, malformed, unrouted, too_large, refused, error)',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.rateLimitRefusals = new Counter({
      name: 'crm_rate_limit_refusals_total',
      help: 'Requests refused by a rate limit, by limit',
      labelNames: ['limit'],
      registers,
    });
    this.eventDispatchLag = new Histogram({
      name: 'crm_event_dispatch_lag_seconds',
      help: 'Time from a domain event being recorded to its consumers receiving it',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });

    const self = this;
    new Gauge({
      name: 'crm_websocket_connections',
      help: 'Open (authenticated) graphql-ws connections',
      registers,
      collect() {
        this.set(self.sockets().sockets);
      },
    });
    new Gauge({
      name: 'crm_websocket_operations',
      help: 'Operations (mostly subscriptions) running on open graphql-ws connections',
      registers,
      collect() {
        this.set(self.sockets().operations);
      },
    });
    new Gauge({
      name: 'crm_job_queue_depth',
      help: 'Jobs waiting (created or retry) per queue (sampled)',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const queue of self.sampled.queues) this.set({ queue: queue.queue }, queue.depth);
      },
    });
    new Gauge({
      name: 'crm_job_queue_oldest_age_seconds',
      help: 'Age of the oldest waiting job per queue (sampled; 0 when empty)',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const queue of self.sampled.queues) this.set({ queue: queue.queue }, queue.oldestAgeSeconds);
      },
    });
    const perServer = (name: string, help: string, key: keyof Omit<SampledFigures['servers'][number], 'server'>) =>
      new Gauge({
        name,
        help,
        labelNames: ['server'],
        registers,
        collect() {
          this.reset();
          for (const server of self.sampled.servers) this.set({ server: server.server }, server[key]);
        },
      });
    perServer('crm_server_tenants', 'Tenants placed on each database server (sampled)', 'tenants');
    perServer('crm_server_tenant_database_bytes', 'Total size of the tenant databases on each server (sampled)', 'databaseBytes');
    perServer('crm_server_largest_tenant_database_bytes', 'Size of the largest tenant database on each server (sampled; schema mode: the shared database)', 'largestTenantBytes');
    perServer('crm_server_connections', 'Connections open to the tenant databases of each server, all instances (sampled)', 'connections');

    const gauges: Array<[keyof RouterFigures, string]> = [
      ['liveDataSources', 'Tenant pools open (database mode: one per tenant; schema mode: one per server)'],
      ['connectionBudget', 'Connections this instance may open to tenant databases'],
      ['budgetSlotsInUse', 'Budget slots held by open pools'],
      ['connectionsOpen', 'Connections open in tenant pools'],
      ['connectionsInUse', 'Connections checked out of tenant pools'],
      ['activeLeases', 'Requests currently holding a tenant'],
    ];
    for (const [key, help] of gauges) {
      new Gauge({
        name: `crm_tenancy_${snake(key)}`,
        help,
        registers,
        collect() {
          this.set(figures()[key]);
        },
      });
    }
    // Totals since start: counters, read from the router's running figures at each scrape.
    const totals: Array<[keyof RouterFigures, string]> = [
      ['budgetWaits', 'Requests that had to wait for budget'],
      ['budgetTimeouts', 'Requests refused after waiting for budget'],
      ['opened', 'Tenant pools opened'],
      ['evictions', 'Tenant pools closed for idleness or budget'],
    ];
    for (const [key, help] of totals) {
      new Counter({
        name: `crm_tenancy_${snake(key)}_total`,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(figures()[key]);
        },
      });
    }
  }

  /** Where the open socket and operation counts come from (the graphql-ws server). */
  watchSockets(source: () => { sockets: number; operations: number }): void {
    this.sockets = source;
  }

  /** The latest sample of queue and server figures. */
  setSampled(figures: SampledFigures): void {
    this.sampled = figures;
  }

  /** One answered webhook delivery; the outcome follows from the status its route answered with. */
  observeWebhook(provider: string, status: number): void {
    this.webhookRequests.inc({ provider, outcome: webhookOutcome(status) });
  }

  /** One answered GraphQL operation. */
  observeOperation(operation: OperationType, transport: Transport, ok: boolean, seconds: number): void {
    this.graphqlRequests.inc({ operation, transport, outcome: ok ? 'ok' : 'error' });
    this.graphqlDuration.observe({ operation, transport }, seconds);
  }
}

function webhookOutcome(status: number): string {
  if (status >= 200 && status < 300) return 'accepted';
  switch (status) {
    case 400:
      return 'malformed';
    case 401:
      return 'bad_signature';
    case 404:
      return 'unrouted';
    case 413:
      return 'too_large';
    case 503:
      return 'retry';
    default:
      return status >= 500 ? 'error' : 'refused';
  }
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
