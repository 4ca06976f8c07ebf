import crypto from 'node:crypto';
import type { Logger } from '../logger';
import { LocalTenantEventBus } from './local-event-bus';
import type { TenantEvent, TenantEventBus, Unsubscribe } from './tenant-events';

/** What instances send each other: the event and who sent it, so an instance skips its own echo. */
export interface EventEnvelope {
  origin: string;
  event: TenantEvent;
}

export function encodeEnvelope(envelope: EventEnvelope): string {
  return JSON.stringify({ o: envelope.origin, e: envelope.event });
}

/** The envelope in a broker message, or null when it is not one of ours. */
export function decodeEnvelope(text: string): EventEnvelope | null {
  try {
    return envelopeFrom(JSON.parse(text));
  } catch {
    return null;
  }
}

/** The envelope in an already parsed message, or null. */
export function envelopeFrom(parsed: unknown): EventEnvelope | null {
  const { o: origin, e: event } = (parsed ?? {}) as { o?: unknown; e?: Partial<TenantEvent> };
  if (typeof origin !== 'string' || typeof event !== 'object' || event === null) return null;
  if (typeof event.tenantId !== 'string' || typeof event.type !== 'string') return null;
  if (typeof event.payload !== 'object' || event.payload === null) return null;
  return { origin, event: event as TenantEvent };
}

const FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * A bus that shares events with other instances through a broker. Local subscribers get an
 * event straight away (also while the broker is unreachable); other instances get it from the
 * broker, and each instance ignores the copy of its own events that the broker hands back.
 *
 * publish() never rejects: the change is already committed, so a broker failure must not fail
 * the webhook or mutation that published it. Failures are counted and logged at most every 10 s.
 */
export abstract class BrokeredTenantEventBus implements TenantEventBus {
  protected readonly local: LocalTenantEventBus;
  /** Identifies this process's bus among the broker's publishers. */
  protected readonly origin = crypto.randomUUID();
  /** How every envelope this instance encodes begins (encodeEnvelope puts the origin first). */
  private readonly ownPrefix = `{"o":${JSON.stringify(this.origin)},`;
  private failedSinceLog = 0;
  private lastFailureLog = 0;
  /** Events this instance could not hand to the broker since start. */
  publishFailures = 0;

  constructor(protected readonly log: Logger) {
    this.local = new LocalTenantEventBus(log);
  }

  async publish(event: TenantEvent): Promise<void> {
    this.local.deliver(event);
    try {
      await this.send(event, encodeEnvelope({ origin: this.origin, event }));
    } catch (error) {
      this.publishFailures += 1;
      this.failedSinceLog += 1;
      const now = Date.now();
      if (now - this.lastFailureLog >= FAILURE_LOG_INTERVAL_MS) {
        this.log.warn({ err: error, failed: this.failedSinceLog }, 'live events did not reach other instances (delivered locally only)');
        this.lastFailureLog = now;
        this.failedSinceLog = 0;
      }
    }
  }

  subscribe(tenantId: string, onEvent: (event: TenantEvent) => void): Unsubscribe {
    return this.local.subscribe(tenantId, onEvent);
  }

  get subscriberCount(): number {
    return this.local.subscriberCount;
  }

  abstract close(): Promise<void>;

  /** Hands the broker one encoded event; may throw. */
  protected abstract send(event: TenantEvent, message: string): Promise<void>;

  /**
   * A broker message not worth parsing: nobody here is subscribed, or this instance published it
   * (one envelope, or a JSON array of them from one sender, opens with the sender's origin).
   */
  protected ignorable(text: string): boolean {
    return !this.local.hasSubscribers() || text.startsWith(this.ownPrefix, text.startsWith('[') ? 1 : 0);
  }

  /** An event from the broker: delivered here unless this instance published it. */
  protected receive(envelope: EventEnvelope): void {
    if (envelope.origin === this.origin) return;
    this.local.deliver(envelope.event);
  }
}
