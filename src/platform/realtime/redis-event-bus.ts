import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger';
import { BrokeredTenantEventBus, decodeEnvelope } from './brokered-event-bus';
import type { TenantEvent, Unsubscribe } from './tenant-events';

/** How long a tenant's channel stays subscribed after its last local subscriber left (reloads, reconnects). */
const DEFAULT_LINGER_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Live events across instances through Redis pub/sub: one publisher and one subscriber
 * connection per instance, one channel per tenant (`<prefix>:tenant-events:<tenantId>`).
 *
 * Why a channel per tenant, and SUBSCRIBE rather than PSUBSCRIBE: Redis then routes each event
 * only to instances with a live subscriber of that tenant, so campaign traffic of tenants nobody
 * watches costs the instances nothing, and an instance never even receives another tenant's
 * events on a channel it listens to for someone else. A pattern (`<prefix>:tenant-events:*`)
 * would match every channel on every publish and bring all tenants' events to every instance,
 * like one shared channel. The price is SUBSCRIBE/UNSUBSCRIBE as tenants come and go, damped by
 * keeping a channel a while after its last subscriber left; and the first subscriber of a
 * tenant on an instance misses events published in the millisecond before Redis confirms.
 *
 * While Redis is unreachable: local subscribers still get this instance's events; events
 * published on other instances in that time are lost to this one (pub/sub keeps nothing), and
 * this instance's events do not reach the others. ioredis reconnects with backoff and
 * re-subscribes the channels by itself. Publishing never waits for a reconnect (no offline
 * queue, 1 s command timeout), so a webhook is never held up by Redis.
 */
export class RedisTenantEventBus extends BrokeredTenantEventBus {
  private readonly channels = new Map<string, { subscribers: number; linger: NodeJS.Timeout | null }>();
  private closed = false;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channelPrefix: string,
    private readonly lingerMs: number,
    log: Logger,
  ) {
    super(log);
    subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
  }

  static async connect(options: { url: string; namePrefix: string; log: Logger; lingerMs?: number }): Promise<RedisTenantEventBus> {
    const log = options.log.child({ component: 'redis-events' });
    const common: RedisOptions = {
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2),
    };
    const publisher = new Redis(options.url, {
      ...common,
      connectionName: `${options.namePrefix}:events-pub`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
    });
    const subscriber = new Redis(options.url, {
      ...common,
      connectionName: `${options.namePrefix}:events-sub`,
      autoResubscribe: true,
    });
    watchConnection(publisher, 'publisher', log);
    watchConnection(subscriber, 'subscriber', log);
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
    } catch (error) {
      publisher.disconnect();
      subscriber.disconnect();
      throw error;
    }
    return new RedisTenantEventBus(publisher, subscriber, `${options.namePrefix}:tenant-events:`, options.lingerMs ?? DEFAULT_LINGER_MS, log);
  }

  override subscribe(tenantId: string, onEvent: (event: TenantEvent) => void): Unsubscribe {
    const unsubscribe = super.subscribe(tenantId, onEvent);
    this.retainChannel(tenantId);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      unsubscribe();
      this.releaseChannel(tenantId);
    };
  }

  /** Tenants whose channel this instance is subscribed to (including lingering ones). */
  get channelCount(): number {
    return this.channels.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.channels.values()) if (entry.linger) clearTimeout(entry.linger);
    this.channels.clear();
    await Promise.all([quit(this.publisher), quit(this.subscriber)]);
    await this.local.close();
  }

  protected async send(event: TenantEvent, message: string): Promise<void> {
    await this.publisher.publish(this.channelPrefix + event.tenantId, message);
  }

  private onMessage(channel: string, message: string): void {
    if (!channel.startsWith(this.channelPrefix) || this.ignorable(message)) return;
    const tenantId = channel.slice(this.channelPrefix.length);
    const envelope = decodeEnvelope(message);
    if (!envelope || envelope.event.tenantId !== tenantId) {
      this.log.warn({ channel }, 'ignored a malformed event or one for another tenant');
      return;
    }
    this.receive(envelope);
  }

  private retainChannel(tenantId: string): void {
    let entry = this.channels.get(tenantId);
    if (!entry) {
      this.channels.set(tenantId, (entry = { subscribers: 0, linger: null }));
      this.subscriber.subscribe(this.channelPrefix + tenantId).catch((error) => {
        this.log.warn({ err: error, tenantId }, 'could not subscribe to a tenant channel');
      });
    }
    if (entry.linger) {
      clearTimeout(entry.linger);
      entry.linger = null;
    }
    entry.subscribers += 1;
  }

  private releaseChannel(tenantId: string): void {
    const entry = this.channels.get(tenantId);
    if (!entry || --entry.subscribers > 0 || this.closed) return;
    entry.linger = setTimeout(() => {
      if (this.channels.get(tenantId) !== entry || entry.subscribers > 0) return;
      this.channels.delete(tenantId);
      this.subscriber.unsubscribe(this.channelPrefix + tenantId).catch(() => undefined);
    }, this.lingerMs);
    entry.linger.unref();
  }
}

/** Logs state changes (not every retry) of one connection. */
function watchConnection(redis: Redis, role: string, log: Logger): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) log.warn({ err: error, role }, 'Redis connection error');
    down = true;
  });
  redis.on('end', () => {
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info({ role }, 'Redis connection is back; events published elsewhere while it was down were missed');
    down = false;
  });
}

async function quit(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
