import type { DataSource } from 'typeorm';
import type { Logger } from './logger';
import type { AdminConnections } from './tenancy/admin-connections';
import type { PlatformMetrics, SampledFigures } from './metrics';
import { assertIdentifier } from './db/identifiers';

/**
 * Gathers the figures that cost queries (job queue depth and age, tenant database sizes and
 * connections per server) every `intervalMs` in the background, so a scrape never runs them and
 * a fleet of scrapers cannot load the databases. One query per server and one for the queues.
 */
export class MetricsSampler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      metrics: PlatformMetrics;
      control: DataSource;
      admins: AdminConnections;
      /** Servers at this URL's host and port are asked through the control pool (no extra connection). */
      controlUrl: string;
      jobsSchema: string;
      intervalMs: number;
      log: Logger;
    },
  ) {}

  start(): void {
    const tick = () => {
      this.running ??= this.sample()
        .then(() => undefined)
        .catch((error) => this.deps.log.warn({ err: error }, 'could not sample metrics'))
        .finally(() => (this.running = null));
    };
    // Not at once: start-up is busy enough; the first figures come after one interval.
    this.timer = setInterval(tick, this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One sample, published when complete. */
  async sample(): Promise<SampledFigures> {
    const figures: SampledFigures = { queues: await this.queues(), servers: await this.servers() };
    this.deps.metrics.setSampled(figures);
    return figures;
  }

  private async queues(): Promise<SampledFigures['queues']> {
    const schema = assertIdentifier(this.deps.jobsSchema);
    const rows: Array<{ name: string; depth: number; age: number | null }> = await this.deps.control
      .query(
        `SELECT q.name, count(j.id)::int AS depth, extract(epoch FROM now() - min(j.created_on))::float8 AS age
           FROM ${schema}.queue q LEFT JOIN ${schema}.job j ON j.name = q.name AND j.state IN ('created', 'retry')
          GROUP BY q.name`,
      )
      .catch(() => []); // pg-boss not started yet: nothing to report
    return rows.map((row) => ({ queue: row.name, depth: row.depth, oldestAgeSeconds: Math.max(0, row.age ?? 0) }));
  }

  private async servers(): Promise<SampledFigures['servers']> {
    const control = new URL(this.deps.controlUrl);
    const controlAddress = `${control.hostname}:${control.port || 5432}`;
    const rows: Array<{ id: string; name: string; host: string; port: number; tenants: number; databases: string[] | null }> = await this.deps.control.query(
      `SELECT s.id, s.name, s.host, s.port, count(p.tenant_id)::int AS tenants, array_remove(array_agg(DISTINCT p.database_name), NULL) AS databases
         FROM database_servers s
         LEFT JOIN (tenant_placements p JOIN tenants t ON t.id = p.tenant_id AND t.status NOT IN ('ARCHIVED', 'DELETED'))
                ON p.database_server_id = s.id
        GROUP BY s.id ORDER BY s.name`,
    );
    const result: SampledFigures['servers'] = [];
    for (const row of rows) {
      const databases = row.databases ?? [];
      try {
        // Sizes and sessions are cluster-wide views: any database of the server answers.
        const sql = `SELECT coalesce(sum(pg_database_size(d.datname)), 0)::text AS bytes,
                            coalesce(max(pg_database_size(d.datname)), 0)::text AS largest,
                            (SELECT count(*)::int FROM pg_stat_activity a WHERE a.datname = ANY($1)) AS connections
                       FROM pg_database d WHERE d.datname = ANY($1)`;
        type Stats = { bytes: string; largest: string; connections: number };
        const [stats]: Stats[] =
          `${row.host}:${row.port}` === controlAddress
            ? await this.deps.control.query(sql, [databases])
            : await this.deps.admins.with(row.id, 'postgres', async (client) => (await client.query<Stats>(sql, [databases])).rows);
        result.push({
          server: row.name,
          tenants: row.tenants,
          databaseBytes: Number(stats.bytes),
          largestTenantBytes: Number(stats.largest),
          connections: stats.connections,
        });
      } catch (error) {
        this.deps.log.warn({ err: error, server: row.name }, 'could not sample a database server');
      }
    }
    return result;
  }
}
