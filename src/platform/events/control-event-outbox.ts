import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import type { TenantRouter } from '../tenancy/tenant-router';
import type { Actor, DomainEventDraft } from './domain-event';
import type { EventDispatcher } from './event-dispatcher';
import { eventFromRow, eventPayloadJson, recordEventsCte, type EventRow } from './event-log';

const RELAY_BATCH = 500;

/**
 * Events of control-database changes (members, API keys) cannot be written in the tenant's
 * database in the same transaction, so they wait in the control database's outbox, written with
 * the change, and are moved into the tenant's log after commit: inserted there under the same id
 * (a move repeated after a crash adds nothing), deleted here, then dispatched like any other.
 * Whatever a crash left behind is moved at the next start-up or periodic relay.
 */
export class ControlEventOutbox {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: { control: DataSource; router: TenantRouter; dispatcher: EventDispatcher; log: Logger; intervalMs: number },
  ) {}

  /** Writes events in the caller's control-database transaction. */
  async record(manager: EntityManager, tenantId: string, actor: Actor, drafts: readonly DomainEventDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    const params: unknown[] = [tenantId, actor.kind, actor.id];
    const rows = drafts.map((draft) => {
      const at = params.length;
      params.push(draft.type, draft.version ?? 1, draft.subjectId ?? null, eventPayloadJson(draft.payload));
      return `($1::uuid, $${at + 1}, $${at + 2}::smallint, $2, $3, $${at + 3}::uuid, $${at + 4}::jsonb)`;
    });
    await manager.query(
      `INSERT INTO tenant_event_outbox (tenant_id, type, version, actor_kind, actor_id, subject_id, payload) VALUES ${rows.join(', ')}`,
      params,
    );
  }

  /** Moves a tenant's waiting events into its log and dispatches them. */
  async relay(tenantId: string): Promise<void> {
    for (;;) {
      const moved = await this.deps.control.transaction(async (control) => {
        const waiting: Array<Omit<EventRow, 'seq'>> = await control.query(
          `SELECT id, type, version, occurred_at, actor_kind, actor_id, subject_id, payload FROM tenant_event_outbox
            WHERE tenant_id = $1 ORDER BY occurred_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [tenantId, RELAY_BATCH],
        );
        if (waiting.length === 0) return 0;
        const inserted: EventRow[] = await this.deps.router.withTenant(tenantId, (manager) =>
          manager.query(
            `WITH ${recordEventsCte(`(id, type, version, occurred_at, actor_kind, actor_id, subject_id, payload)
               SELECT id, type, version, occurred_at, actor_kind, actor_id, subject_id, payload
                 FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, type varchar, version smallint, occurred_at timestamptz,
                      actor_kind varchar, actor_id varchar, subject_id uuid, payload jsonb)
                ORDER BY occurred_at
               ON CONFLICT (id) DO NOTHING`)}
             SELECT * FROM recorded_events`,
            [JSON.stringify(waiting)],
          ),
        );
        await control.query('DELETE FROM tenant_event_outbox WHERE id = ANY($1::uuid[])', [waiting.map((row) => row.id)]);
        return { count: waiting.length, events: inserted.map((row) => eventFromRow(tenantId, row)) };
      });
      if (moved === 0) return;
      await this.deps.dispatcher.dispatch(tenantId, moved.events);
      if (moved.count < RELAY_BATCH) return;
    }
  }

  /** Relays whatever waits, now and every `intervalMs`. */
  start(): void {
    const relayAll = async () => {
      const tenants: Array<{ tenant_id: string }> = await this.deps.control.query('SELECT DISTINCT tenant_id FROM tenant_event_outbox');
      for (const { tenant_id: tenantId } of tenants) {
        await this.relay(tenantId).catch((error) => this.deps.log.warn({ err: error, tenantId }, 'could not relay control events'));
      }
    };
    const run = () => void relayAll().catch((error) => this.deps.log.warn({ err: error }, 'could not relay control events'));
    run();
    this.timer = setInterval(run, this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
