import assert from 'node:assert/strict';
import type { EntityManager } from 'typeorm';
import type { GraphQLTestClient } from '../support/graphql-client';
import { inviteMember } from '../support/invite-member';
import type { TestApp } from '../support/test-app';
import type { TenantEvent } from '../../src/platform/realtime/tenant-events';

/** GraphQL documents the WhatsApp tests share. */
export const CONNECT = `mutation ($input: ConnectWhatsAppInput!) {
  connectWhatsApp(input: $input) { id provider name externalSessionId status qrCode phoneNumber }
}`;
export const SEND = `mutation ($input: SendMessageInput!) {
  sendMessage(input: $input) { id conversationId direction status body toAddress failureReason }
}`;
export const SIMULATE = `mutation ($input: SimulateInboundMessageInput!) {
  simulateInboundMessage(input: $input) { id conversationId direction status body fromAddress type }
}`;
export const MARK_READ = `mutation ($id: ID!) { markConversationRead(id: $id) { id unreadCount } }`;

/** Polls `probe` until it returns a truthy value (or fails after `timeoutMs`). */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs SQL in a tenant's database through the app's own router. */
export function tenantQuery<T = Record<string, unknown>>(t: TestApp, tenantId: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return t.app.platform.router.withTenant(tenantId, (manager: EntityManager) => manager.query(sql, params));
}

/** Waits until a send is recorded as SENT and returns the provider's message id. */
export function providerIdOnceSent(t: TestApp, tenantId: string, messageId: string, what: string): Promise<string> {
  return eventually(async () => {
    const [row] = await tenantQuery(t, tenantId, 'SELECT status, provider_message_id FROM messages WHERE id = $1', [messageId]);
    return row?.status === 'SENT' ? (row.provider_message_id as string) : null;
  }, what);
}

/** Row counts of the tables an ingest writes, to compare before and after. */
export async function ingestCounts(t: TestApp, tenantId: string): Promise<Record<string, number>> {
  const [row] = await tenantQuery<Record<string, number>>(
    t,
    tenantId,
    `SELECT (SELECT count(*)::int FROM contacts) AS contacts, (SELECT count(*)::int FROM conversations) AS conversations,
            (SELECT count(*)::int FROM messages) AS messages, (SELECT count(*)::int FROM webhook_events) AS webhook_events,
            (SELECT count(*)::int FROM documents) AS documents`,
  );
  return row;
}

/** Records the tenant events one tenant's subscribers get (the in-process bus). */
export function recordEvents(t: TestApp, tenantId: string): { events: TenantEvent[]; stop: () => void } {
  const events: TenantEvent[] = [];
  const stop = t.app.platform.events.subscribe(tenantId, (event) => events.push(event));
  return { events, stop };
}

/** A member with `role` in the tenant of `adminToken`, signed in. */
export async function memberToken(client: GraphQLTestClient, adminToken: string, tenantId: string, role: string): Promise<string> {
  const email = `${role.toLowerCase()}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = 'a long enough password';
  await inviteMember(client, adminToken, { email, role, password });
  const data = await client.data(`mutation ($input: LoginInput!) { login(input: $input) { token } }`, { input: { email, password, tenantId } });
  return data.login.token;
}

/** A random E.164 phone (digits) that passes the contact check. */
export function randomPhone(): string {
  return `1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}
