import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { preparedQuery } from '../db/prepared-query';
import { BrokeredTenantEventBus, decodeEnvelope, envelopeFrom } from './brokered-event-bus';
import type { TenantEvent } from './tenant-events';

/** NOTIFY payloads must be shorter than 8000 bytes (the default build of PostgreSQL). */
export const NOTIFY_MAX_BYTES = 7_999;
const RECONNECT_BASE_MS = 250;
const RECONNECT_MAX_MS = 15_000;
const HEARTBEAT_MS = 30_000;
const CLEANUP_MS = 60_000;
/** Stored payloads older than this are deleted; every listener has long fetched them. */
const STORED_PAYLOAD_TTL = '5 minutes';

interface Batch {
  parts: string[];
  bytes: number;
  sent: Promise<void>;
}

/** A NOTIFY that points at a stored payload instead of carrying it. */
interface StoredRef {
  o: string;
  t: string;
  ref: number;
}

/**
 * Live events across instances through LISTEN/NOTIFY on the control database, for deployments
 * without Redis. Each instance keeps one dedicated connection that LISTENs on one channel;
 * events are sent with pg_notify() through the control pool, outside any transaction (they are
 * published after the tenant's change committed).
 *
 * An event whose JSON does not fit in a NOTIFY is stored in `tenant_event_payloads` (unlogged,
 * kept 5 minutes) and the NOTIFY carries its id; each instance with a subscriber of that tenant
 * fetches it once, in order with the events around it.
 *
 * When the LISTEN connection drops (control database restart, network), it is re-opened with
 * exponential backoff (250 ms doubling to 15 s, jittered). Meanwhile local subscribers still get
 * this instance's own events, but NOTIFYs sent by other instances are lost to this one: Postgres
 * only queues notifications for sessions that were listening when they were sent. Publishing
 * needs the control database too; while it is down, events reach local subscribers only.
 * A heartbeat query every 30 s notices a connection that died without closing.
 */
export class PostgresTenantEventBus extends BrokeredTenantEventBus {
  private listener: Client | null = null;
  private closed = false;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private lostAt = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly cleanup: NodeJS.Timeout;
  /** Keeps delivery in NOTIFY order while a stored payload is being fetched. */
  private tail: Promise<void> = Promise.resolve();
  private fetching = 0;
  /** Events waiting for the NOTIFY in flight; they go out together in the next one. */
  private batch: Batch | null = null;
  private sending: Promise<unknown> = Promise.resolve();
  /** How many times the LISTEN connection was re-opened. */
  reconnects = 0;

  private constructor(
    private readonly options: { url: string; control: DataSource; channel: string; log: Logger },
  ) {
    super(options.log);
    this.heartbeat = setInterval(() => void this.checkListener(), HEARTBEAT_MS).unref();
    this.cleanup = setInterval(() => void this.deleteOldPayloads(), CLEANUP_MS).unref();
  }

  static async connect(options: { url: string; control: DataSource; namePrefix: string; log: Logger }): Promise<PostgresTenantEventBus> {
    const bus = new PostgresTenantEventBus({
      url: options.url,
      control: options.control,
      channel: `${options.namePrefix}_tenant_events`,
      log: options.log.child({ component: 'pg-events' }),
    });
    try {
      await bus.openListener();
    } catch (error) {
      await bus.close();
      throw error;
    }
    return bus;
  }

  /** The LISTEN connection's server process id (null while reconnecting); for operations and tests. */
  get listenerPid(): number | null {
    return (this.listener as unknown as { processID?: number } | null)?.processID ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.cleanup);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await Promise.all([this.tail, this.sending]);
    await this.local.close();
  }

  /**
   * Events go out one NOTIFY at a time, in order; those published while one is in flight wait
   * in a batch and leave together as a JSON array (up to NOTIFY's size), so a burst costs a few
   * NOTIFYs rather than one per event, and the order of this instance's events is kept.
   * A NOTIFY commits a transaction; it need not wait for the WAL flush (synchronous_commit off
   * for that transaction only): notifications are not durable anyway, and a busy disk would
   * otherwise add its fsync time to every event's latency.
   */
  protected send(event: TenantEvent, message: string): Promise<void> {
    const { control, channel } = this.options;
    const bytes = Buffer.byteLength(message);
    if (bytes > NOTIFY_MAX_BYTES - 2) {
      this.batch = null;
      return this.enqueue(() =>
        control.query(
          `WITH stored AS (INSERT INTO tenant_event_payloads (tenant_id, body) VALUES ($2, $3) RETURNING id)
           SELECT set_config('synchronous_commit', 'off', true),
                  pg_notify($1, json_build_object('o', $4::text, 't', $2::text, 'ref', stored.id)::text) FROM stored`,
          [channel, event.tenantId, message, this.origin],
        ),
      );
    }
    if (this.batch && this.batch.bytes + 1 + bytes > NOTIFY_MAX_BYTES - 2) this.batch = null;
    if (!this.batch) {
      const batch: Batch = { parts: [], bytes: 0, sent: Promise.resolve() };
      batch.sent = this.enqueue(() => {
        if (this.batch === batch) this.batch = null;
        const payload = batch.parts.length === 1 ? batch.parts[0] : `[${batch.parts.join(',')}]`;
        return preparedQuery(control.manager, 'tenant_events_notify', `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`, [
          channel,
          payload,
        ]);
      });
      this.batch = batch;
    }
    this.batch.parts.push(message);
    this.batch.bytes += bytes + 1;
    return this.batch.sent;
  }

  private enqueue(job: () => Promise<unknown>): Promise<void> {
    const run = this.sending.then(job).then(() => undefined);
    this.sending = run.catch(() => undefined);
    return run;
  }

  private async openListener(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      keepAlive: true,
      query_timeout: 10_000,
      application_name: 'crm-tenant-events',
    });
    client.on('notification', (notification) => {
      if (notification.channel === this.options.channel) this.onNotification(notification.payload ?? '');
    });
    client.on('error', (error) => this.listenerLost(client, error));
    client.on('end', () => this.listenerLost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  private listenerLost(client: Client, error?: Error): void {
    if (this.listener !== client) return;
    this.listener = null;
    this.lostAt = Date.now();
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.log.warn({ err: error }, 'lost the LISTEN connection; events from other instances are missed until it is back');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** this.reconnectAttempt) * (0.5 + Math.random() / 2);
    this.reconnectAttempt += 1;
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = null;
      try {
        await this.openListener();
        this.reconnects += 1;
        this.log.info({ downMs: Date.now() - this.lostAt, attempts: this.reconnectAttempt }, 'LISTEN connection restored');
        this.reconnectAttempt = 0;
      } catch (error) {
        this.log.warn({ err: error, attempt: this.reconnectAttempt }, 'could not re-open the LISTEN connection; retrying');
        this.scheduleReconnect();
      }
    }, delay);
    this.reconnectTimer.unref();
  }

  private async checkListener(): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    try {
      await listener.query('SELECT 1');
    } catch (error) {
      this.listenerLost(listener, error as Error);
    }
  }

  private async deleteOldPayloads(): Promise<void> {
    await this.options.control
      .query(`DELETE FROM tenant_event_payloads WHERE created_at < now() - interval '${STORED_PAYLOAD_TTL}'`)
      .catch((error) => this.log.warn({ err: error }, 'could not delete old stored event payloads'));
  }

  private onNotification(payload: string): void {
    if (this.ignorable(payload)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      parsed = null;
    }
    const ref = storedRefFrom(parsed);
    if (ref) {
      if (ref.o === this.origin || !this.local.hasSubscribers(ref.t)) return;
      this.fetching += 1;
      this.tail = this.tail
        .then(() => this.fetchStored(ref))
        .finally(() => {
          this.fetching -= 1;
        });
      return;
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      const envelope = envelopeFrom(item);
      if (!envelope) {
        this.log.warn('ignored a malformed event notification');
        continue;
      }
      if (this.fetching > 0) this.tail = this.tail.then(() => this.receive(envelope));
      else this.receive(envelope);
    }
  }

  private async fetchStored(ref: StoredRef): Promise<void> {
    try {
      const rows: Array<{ body: string }> = await this.options.control.query('SELECT body FROM tenant_event_payloads WHERE id = $1', [ref.ref]);
      const envelope = rows[0] ? decodeEnvelope(rows[0].body) : null;
      if (!envelope || envelope.event.tenantId !== ref.t) {
        this.log.warn({ ref: ref.ref }, 'a stored event payload is missing or malformed');
        return;
      }
      this.receive(envelope);
    } catch (error) {
      this.log.warn({ err: error, ref: ref.ref }, 'could not fetch a stored event payload; it is lost to this instance');
    }
  }
}

function storedRefFrom(parsed: unknown): StoredRef | null {
  const { o, t, ref } = (parsed ?? {}) as Partial<StoredRef>;
  return typeof o === 'string' && typeof t === 'string' && typeof ref === 'number' ? { o, t, ref } : null;
}
