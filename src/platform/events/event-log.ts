import type { EntityManager } from 'typeorm';
import type { Actor, ActorKind, DomainEvent, DomainEventDraft } from './domain-event';

/** The columns every read of the log returns, in eventFromRow's terms. */
export const EVENT_COLUMNS = 'seq, id, type, version, occurred_at, actor_kind, actor_id, subject_id, payload';

export interface EventRow {
  seq: string;
  id: string;
  type: string;
  version: number;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string | null;
  subject_id: string | null;
  payload: Record<string, unknown>;
}

export function eventFromRow(tenantId: string, row: EventRow): DomainEvent {
  return {
    id: row.id,
    seq: String(row.seq),
    tenantId,
    type: row.type,
    version: row.version,
    occurredAt: row.occurred_at,
    actor: { kind: row.actor_kind as ActorKind, id: row.actor_id },
    subjectId: row.subject_id,
    payload: row.payload,
  };
}

/** Events per INSERT: 6 parameters each, well inside PostgreSQL's 65,535. */
const APPEND_CHUNK = 1_000;

/**
 * Appends events to the tenant's log in ONE statement on `manager`, which must be the
 * transaction of the change they record (or the statement that makes it): they commit with it
 * or not at all.
 */
export async function appendEvents(
  manager: EntityManager,
  tenantId: string,
  actor: Actor,
  drafts: readonly DomainEventDraft[],
): Promise<DomainEvent[]> {
  if (drafts.length > APPEND_CHUNK) {
    const events: DomainEvent[] = [];
    for (let at = 0; at < drafts.length; at += APPEND_CHUNK) {
      events.push(...(await appendEvents(manager, tenantId, actor, drafts.slice(at, at + APPEND_CHUNK))));
    }
    return events;
  }
  if (drafts.length === 0) return [];
  const params: unknown[] = [];
  const rows = drafts.map((draft) => {
    const at = params.length;
    params.push(draft.type, draft.version ?? 1, actor.kind, actor.id, draft.subjectId ?? null, eventPayloadJson(draft.payload));
    return `($${at + 1}, $${at + 2}::smallint, $${at + 3}, $${at + 4}, $${at + 5}::uuid, $${at + 6}::jsonb)`;
  });
  const inserted: EventRow[] = await manager.query(
    `WITH ${recordEventsCte(`(type, version, actor_kind, actor_id, subject_id, payload) VALUES ${rows.join(', ')}`)}
     SELECT * FROM recorded_events`,
    params,
  );
  return inserted.map((row) => eventFromRow(tenantId, row));
}

/**
 * The CTEs that record events inside a statement of one's own (`recorded_events`, returning
 * EVENT_COLUMNS): `rows` is what follows `INSERT INTO domain_events`, a column list and a VALUES
 * list or SELECT. Each event also enters the outbox of undispatched events.
 */
export function recordEventsCte(rows: string): string {
  return `recorded_events AS (
    INSERT INTO domain_events ${rows}
    RETURNING ${EVENT_COLUMNS}
  ), undispatched_events AS (
    INSERT INTO domain_events_undispatched (seq) SELECT seq FROM recorded_events
  )`;
}

/** A column of a statement built with recordEventsCte: its events as one JSON array, for eventsFromJson. */
export const RECORDED_EVENTS_JSON = `(SELECT jsonb_agg(jsonb_build_object('seq', seq::text, 'id', id, 'type', type, 'version', version,
  'occurred_at', occurred_at, 'actor_kind', actor_kind, 'actor_id', actor_id, 'subject_id', subject_id, 'payload', payload) ORDER BY seq)
  FROM recorded_events)`;

export function eventsFromJson(tenantId: string, json: unknown): DomainEvent[] {
  if (!Array.isArray(json)) return [];
  return (json as Array<Omit<EventRow, 'occurred_at'> & { occurred_at: string }>).map((row) =>
    eventFromRow(tenantId, { ...row, occurred_at: new Date(row.occurred_at) }),
  );
}

/**
 * The payload as jsonb accepts it: PostgreSQL refuses `\u0000` and lone surrogates in jsonb, and
 * an event must never be the reason a change cannot be stored, so both become U+FFFD here.
 * (JSON.stringify writes lone surrogates as `\udXXX` escapes and keeps pairs as characters.)
 */
export function eventPayloadJson(payload: Record<string, unknown>): string {
  return JSON.stringify(payload).replace(/(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi, '$1\\ufffd');
}
