import type { TestApp } from './test-app';
import type { SignedUp } from './graphql-client';
import { inviteMember } from './invite-member';
import { SubscriptionPlan } from '../../src/platform/control/subscription-plan.entity';
import { Tenant } from '../../src/platform/control/tenant.entity';

let memberCounter = 0;

/** One inbox page with every relation the inbox shows (the SQL-count test and bench:graphql use it). */
export const INBOX_PAGE = `query ($first: Int!) {
  conversations(first: $first) {
    edges { node { id unreadCount contact { name phone } lastMessage { body createdAt } labels { name } assignee { name } } }
    pageInfo { endCursor hasNextPage }
    totalCount
  }
}`;

/** Adds a member with `role` through the owner's addMember mutation and logs in as them. */
export async function memberWithRole(
  t: TestApp,
  owner: SignedUp,
  role: 'TENANT_ADMIN' | 'MANAGER' | 'AGENT' | 'AUDITOR',
  name = `${role.toLowerCase()} ${++memberCounter}`,
): Promise<{ token: string; userId: string; name: string }> {
  const email = `${role.toLowerCase()}.${Date.now()}.${++memberCounter}.${Math.random().toString(36).slice(2, 7)}@example.com`;
  const member = await inviteMember(t.client, owner.token, { email, role, name });
  return { token: member.token, userId: member.userId, name };
}

/** Puts the tenant on a plan of its own; limits not given are unlimited. */
export async function setPlanLimits(
  t: TestApp,
  tenantId: string,
  limits: { maxContacts?: number; maxUsers?: number; maxMessagesPerMonth?: number } = {},
): Promise<void> {
  const { control, registry } = t.app.platform;
  const plan = await control.getRepository(SubscriptionPlan).save(
    control.getRepository(SubscriptionPlan).create({
      code: `test-${tenantId.slice(0, 8)}-${Date.now()}-${++memberCounter}`,
      name: 'Test plan',
      maxContacts: limits.maxContacts ?? null,
      maxUsers: limits.maxUsers ?? null,
      maxMessagesPerMonth: limits.maxMessagesPerMonth ?? null,
    }),
  );
  await control.getRepository(Tenant).update({ id: tenantId }, { planId: plan.id });
  registry.invalidate(tenantId);
}

export interface SeededInbox {
  contactIds: string[];
  /** In inbox order (newest activity first). */
  conversationIds: string[];
  labelIds: string[];
}

/**
 * Seeds an inbox by direct inserts: `conversations` contacts each with one conversation and
 * `messagesPerConversation` inbound messages. Every `tieEvery` conversations share one
 * last_message_at (ordering ties), labels and assignees are spread over the rows.
 */
export async function seedInbox(
  t: Pick<TestApp, 'app'>,
  tenantId: string,
  options: {
    conversations: number;
    messagesPerConversation?: number;
    labels?: number;
    assigneeIds?: string[];
    tieEvery?: number;
    phoneBase?: number;
    /** Seconds before now of the newest seeded activity. */
    newestSecondsAgo?: number;
  },
): Promise<SeededInbox> {
  const n = options.conversations;
  const perConversation = options.messagesPerConversation ?? 3;
  const tieEvery = options.tieEvery ?? 3;
  const phoneBase = options.phoneBase ?? 447700000000;
  const assignees = options.assigneeIds ?? [];
  const newest = options.newestSecondsAgo ?? 3600;
  return t.app.platform.router.withTenant(tenantId, (manager) =>
    manager.transaction(async (tx) => {
      const contacts: Array<{ id: string }> = await tx.query(
        `INSERT INTO contacts (name, phone, email)
         SELECT 'Seed contact ' || i, ($2::bigint + i)::text, 'seed' || i || '@example.com' FROM generate_series(1, $1::int) i
         RETURNING id`,
        [n, phoneBase],
      );
      const contactIds = contacts.map((row) => row.id);
      const assigneeColumn = contactIds.map((_, i) => (assignees.length && i % 4 !== 3 ? assignees[i % assignees.length] : null));
      const unread = contactIds.map((_, i) => i % 3);
      const conversations: Array<{ id: string }> = await tx.query(
        `INSERT INTO conversations (contact_id, assignee_user_id, unread_count)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[]) RETURNING id`,
        [contactIds, assigneeColumn, unread],
      );
      const conversationIds = conversations.map((row) => row.id);
      // Conversation i's newest message is at (now - newest s - floor(i / tieEvery) min): ties in groups.
      await tx.query(
        `INSERT INTO messages (conversation_id, direction, from_address, to_address, body, status, created_at)
         SELECT c.id, 'INBOUND', '447700900000', '447700900001', 'Message ' || j || ' of conversation ' || c.i, 'DELIVERED',
                date_trunc('second', now()) - make_interval(secs => $2::int) - make_interval(mins => (c.i / $3::int)::int) - make_interval(secs => j)
           FROM unnest($1::uuid[]) WITH ORDINALITY AS c(id, i), generate_series(0, $4::int - 1) j`,
        [conversationIds, newest, tieEvery, perConversation],
      );
      await tx.query(
        `UPDATE conversations c SET last_message_id = m.id, last_message_at = m.created_at
           FROM (SELECT DISTINCT ON (conversation_id) id, conversation_id, created_at FROM messages
                  WHERE conversation_id = ANY($1) ORDER BY conversation_id, created_at DESC, id DESC) m
          WHERE m.conversation_id = c.id`,
        [conversationIds],
      );
      const labelIds: string[] = [];
      if (options.labels) {
        const labels: Array<{ id: string }> = await tx.query(
          `INSERT INTO labels (name) SELECT 'Seed label ' || i || ' ' || $2::text FROM generate_series(1, $1::int) i RETURNING id`,
          [options.labels, String(phoneBase)],
        );
        labelIds.push(...labels.map((row) => row.id));
        await tx.query(
          `INSERT INTO conversation_labels (conversation_id, label_id)
           SELECT c.id, ($2::uuid[])[1 + (c.i % array_length($2::uuid[], 1))] FROM unnest($1::uuid[]) WITH ORDINALITY AS c(id, i)
           UNION
           SELECT c.id, ($2::uuid[])[1 + ((c.i + 1) % array_length($2::uuid[], 1))] FROM unnest($1::uuid[]) WITH ORDINALITY AS c(id, i) WHERE c.i % 2 = 0`,
          [conversationIds, labelIds],
        );
      }
      const ordered: Array<{ id: string }> = await tx.query(
        `SELECT id FROM conversations WHERE id = ANY($1) ORDER BY last_message_at DESC, id DESC`,
        [conversationIds],
      );
      return { contactIds, conversationIds: ordered.map((row) => row.id), labelIds };
    }),
  );
}

let phoneCounter = Math.floor(Math.random() * 1_000_000) * 10;

/** A valid German mobile number, unique within the test process: [as typed, as stored]. */
export function uniquePhone(): [string, string] {
  phoneCounter += 1;
  const digits = `49151${String(phoneCounter).padStart(8, '0')}`;
  return [`+49 151 ${digits.slice(5, 9)} ${digits.slice(9)}`, digits];
}
