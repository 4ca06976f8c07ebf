import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { memberWithRole, setPlanLimits, uniquePhone } from '../support/crm-fixtures';
import { eventually, tenantQuery } from '../whatsapp/whatsapp-test-kit';

const AUDIT_LOG = `query ($first: Int, $after: String, $filter: AuditLogFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id type version occurredAt subjectId actor { kind id } payload } }
  }
}`;
type AuditPage = {
  auditLog: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ node: { id: string; type: string; version: number; occurredAt: string; subjectId: string | null; actor: { kind: string; id: string | null }; payload: any } }>;
  };
};

describe('audit log: the event log read newest first by admins and auditors', () => {
  let t: TestApp;
  let owner: SignedUp;
  let contactId: string;

  const log = async (token: string, variables: Record<string, unknown> = {}) => (await t.client.data<AuditPage>(AUDIT_LOG, { first: 50, ...variables }, token)).auditLog;

  before(async () => {
    t = await startTestApp();
    owner = await t.client.signUp();
    await setPlanLimits(t, owner.tenantId);
    const created = await t.client.data(
      'mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }',
      { input: { name: 'Ann', phone: uniquePhone()[0] } },
      owner.token,
    );
    contactId = created.createContact.id;
    await t.client.data('mutation ($id: ID!) { updateContact(id: $id, input: { name: "Ann Lee" }) { id } }', { id: contactId }, owner.token);
    await t.client.data('mutation ($id: ID!) { deleteContact(id: $id) }', { id: contactId }, owner.token);
  });

  after(() => t?.stop());

  test('each change is one typed event with its actor and payload, newest first', async () => {
    const page = await log(owner.token, { filter: { types: ['contact.created', 'contact.updated', 'contact.deleted'] } });
    assert.deepEqual(page.edges.map((e) => e.node.type), ['contact.deleted', 'contact.updated', 'contact.created']);
    for (const { node } of page.edges) {
      assert.deepEqual(node.actor, { kind: 'USER', id: owner.userId });
      assert.equal(node.subjectId, contactId);
      assert.equal(node.version, 1);
      assert.equal(node.payload.contact.id, contactId);
    }
    const updated = page.edges[1].node;
    assert.equal(updated.payload.contact.name, 'Ann Lee');
    assert.deepEqual(updated.payload.changes, ['name']);
    assert.ok(Date.parse(page.edges[0].node.occurredAt) >= Date.parse(page.edges[2].node.occurredAt));
  });

  test('filters by actor, type and time, and pages without overlap', async () => {
    assert.equal((await log(owner.token, { filter: { actorId: owner.userId, types: ['contact.updated'] } })).totalCount, 1);
    assert.equal((await log(owner.token, { filter: { actorId: '00000000-0000-0000-0000-000000000000' } })).totalCount, 0);
    assert.equal((await log(owner.token, { filter: { since: new Date(Date.now() + 60_000).toISOString() } })).totalCount, 0);
    assert.equal((await log(owner.token, { filter: { until: new Date(Date.now() - 3600_000).toISOString() } })).totalCount, 0);

    const all = await log(owner.token);
    const first = await log(owner.token, { first: 2 });
    assert.equal(first.pageInfo.hasNextPage, true);
    const rest = await log(owner.token, { first: 50, after: first.pageInfo.endCursor });
    assert.deepEqual([...first.edges, ...rest.edges].map((e) => e.node.id), all.edges.map((e) => e.node.id));
    await t.client.expectError('VALIDATION_FAILED', AUDIT_LOG, { after: 'not-a-cursor' }, owner.token);
  });

  test('admins and auditors read it; managers and agents do not; another tenant sees none of it', async () => {
    const auditor = await memberWithRole(t, owner, 'AUDITOR');
    assert.ok((await log(auditor.token)).edges.some((e) => e.node.subjectId === contactId));
    for (const role of ['MANAGER', 'AGENT'] as const) {
      const member = await memberWithRole(t, owner, role);
      await t.client.expectError('FORBIDDEN', AUDIT_LOG, { first: 5 }, member.token);
    }
    const stranger = await t.client.signUp();
    const theirs = await log(stranger.token);
    assert.ok(!theirs.edges.some((e) => e.node.subjectId === contactId || e.node.actor.id === owner.userId));
  });

  test('dispatched events older than EVENT_LOG_RETENTION_DAYS are pruned in the background; newer ones stay', async () => {
    await tenantQuery(
      t,
      owner.tenantId,
      `INSERT INTO domain_events (type, actor_kind, payload, occurred_at)
       SELECT 'contact.updated', 'SYSTEM', '{}'::jsonb, now() - interval '40 days' FROM generate_series(1, 3)`,
    );
    const second = await startTestApp({ EVENT_LOG_RETENTION_DAYS: '30' }, { join: t });
    try {
      // A write through the second instance dispatches there, which prunes the tenant once.
      await second.client.data(
        'mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }',
        { input: { name: 'Bo', phone: uniquePhone()[0] } },
        owner.token,
      );
      await eventually(
        async () => Number((await tenantQuery(t, owner.tenantId, `SELECT count(*) AS n FROM domain_events WHERE occurred_at < now() - interval '30 days'`))[0].n) === 0,
        'the old events to be pruned',
      );
      assert.ok((await log(owner.token, { filter: { types: ['contact.created'] } })).totalCount >= 2, 'recent events stay');
    } finally {
      await second.stop();
    }
  });
});
