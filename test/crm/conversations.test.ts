import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { memberWithRole, seedInbox, setPlanLimits, type SeededInbox } from '../support/crm-fixtures';

const INBOX = `query ($first: Int, $after: String, $filter: ConversationFilter) {
  conversations(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id status unreadCount lastMessageAt contact { id name phone } lastMessage { id body direction createdAt } labels { id name } assignee { id name } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;
const MESSAGES = `query ($id: ID!, $first: Int, $after: String) {
  messages(conversationId: $id, first: $first, after: $after) {
    edges { node { id body direction status readAt createdAt conversationId conversation { id } sentBy { id } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;
const CONVERSATION = `query ($id: ID!) { conversation(id: $id) { id status unreadCount assignee { id name } } }`;
const ids = (connection: { edges: Array<{ node: { id: string } }> }) => connection.edges.map((edge) => edge.node.id);

describe('conversations and messages', () => {
  let t: TestApp;
  let owner: SignedUp;
  let other: SignedUp;
  let agent: { token: string; userId: string; name: string };
  let auditor: { token: string; userId: string; name: string };
  let inbox: SeededInbox;

  before(async () => {
    t = await startTestApp();
    [owner, other] = await Promise.all([t.client.signUp({ name: 'Olivia Owner' }), t.client.signUp()]);
    await setPlanLimits(t, owner.tenantId);
    [agent, auditor] = await Promise.all([memberWithRole(t, owner, 'AGENT', 'Andy Agent'), memberWithRole(t, owner, 'AUDITOR')]);
    inbox = await seedInbox(t, owner.tenantId, { conversations: 30, labels: 3, assigneeIds: [owner.userId, agent.userId] });
  });
  after(() => t.stop());

  test('the inbox lists newest activity first with contact, last message, labels and assignee', async () => {
    const { conversations } = await t.client.data(INBOX, { first: 30 }, auditor.token);
    assert.deepEqual(ids(conversations), inbox.conversationIds);
    assert.equal(conversations.totalCount, 30);
    assert.equal(conversations.pageInfo.hasNextPage, false);
    const truth = await t.app.platform.router.withTenant(owner.tenantId, (manager) =>
      manager.query(
        `SELECT c.id, c.unread_count, ct.name, ct.phone, m.body, c.assignee_user_id,
                (SELECT array_agg(l.name ORDER BY l.name) FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id WHERE cl.conversation_id = c.id) AS labels
           FROM conversations c JOIN contacts ct ON ct.id = c.contact_id JOIN messages m ON m.id = c.last_message_id`,
      ),
    );
    const names = new Map([[owner.userId, 'Olivia Owner'], [agent.userId, 'Andy Agent']]);
    for (const { node } of conversations.edges) {
      const row = truth.find((r: { id: string }) => r.id === node.id);
      assert.equal(node.unreadCount, row.unread_count);
      assert.deepEqual(node.contact, { id: node.contact.id, name: row.name, phone: row.phone });
      assert.equal(node.lastMessage.body, row.body);
      assert.equal(node.lastMessage.direction, 'INBOUND');
      assert.deepEqual(node.labels.map((l: { name: string }) => l.name), row.labels ?? []);
      assert.equal(node.assignee?.name ?? null, row.assignee_user_id ? names.get(row.assignee_user_id) : null);
    }
    assert.ok(conversations.edges.some((e: { node: { assignee: unknown } }) => e.node.assignee === null), 'some are unassigned');

    // Past the last page: no rows, and the count (which otherwise rides along in the page query) still holds.
    const beyond = (await t.client.data(INBOX, { first: 5, after: conversations.pageInfo.endCursor }, owner.token)).conversations;
    assert.deepEqual([beyond.edges.length, beyond.totalCount, beyond.pageInfo.hasNextPage], [0, 30, false]);
  });

  test('whatever the page selects of contact and last message matches the full records', async () => {
    const contactFields = 'id name phone email notes optedOut createdAt updatedAt groups { id } labels { id }';
    const messageFields = 'id conversationId direction fromAddress toAddress body type status failureReason providerTimestamp readAt createdAt updatedAt sentBy { id } conversation { id }';
    const page = `query { conversations(first: 5) { edges { node { id
      ...Who
      latest: lastMessage { ${messageFields} }
    } } } }
    fragment Who on Conversation { contact { ... on Contact { ${contactFields} } } c2: contact { __typename } }`;
    const { conversations } = await t.client.data(page, {}, owner.token);
    assert.equal(conversations.edges.length, 5);
    for (const { node } of conversations.edges) {
      const one = await t.client.data(
        `query ($id: ID!) { conversation(id: $id) { contact { ${contactFields} } lastMessage { ${messageFields} } } }`,
        { id: node.id },
        owner.token,
      );
      assert.deepEqual(node.contact, one.conversation.contact);
      assert.deepEqual(node.latest, one.conversation.lastMessage);
      assert.deepEqual(node.c2, { __typename: 'Contact' });
    }
  });

  test('filters: status, assignee, unassigned, label, unread only', async () => {
    const list = async (filter: Record<string, unknown>) => ids((await t.client.data(INBOX, { first: 100, filter }, owner.token)).conversations);
    const truth = async (where: string, params: unknown[] = []) =>
      (
        await t.app.platform.router.withTenant(owner.tenantId, (manager) =>
          manager.query(`SELECT c.id FROM conversations c WHERE ${where} ORDER BY c.last_message_at DESC NULLS FIRST, c.id DESC`, params),
        )
      ).map((row: { id: string }) => row.id);
    await t.client.data(`mutation ($id: ID!) { closeConversation(id: $id) { status } }`, { id: inbox.conversationIds[4] }, agent.token);
    assert.deepEqual(await list({ status: 'CLOSED' }), [inbox.conversationIds[4]]);
    assert.deepEqual(await list({ status: 'OPEN' }), await truth(`c.status = 'OPEN'`));
    assert.deepEqual(await list({ assigneeId: agent.userId }), await truth('c.assignee_user_id = $1', [agent.userId]));
    assert.deepEqual(await list({ labelId: inbox.labelIds[1] }), await truth('EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = $1)', [inbox.labelIds[1]]));
    assert.deepEqual(await list({ unreadOnly: true }), await truth('c.unread_count > 0'));
    const unassigned = await truth('c.assignee_user_id IS NULL');
    assert.ok(unassigned.length > 0 && unassigned.length < 30, 'some are unassigned, some not');
    assert.deepEqual(await list({ unassigned: true }), unassigned);
    assert.deepEqual(await list({ unassigned: false }), await list({}), 'unassigned: false filters nothing');
    assert.deepEqual(await list({ unassigned: true, labelId: inbox.labelIds[1] }), await truth('c.assignee_user_id IS NULL AND EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = $1)', [inbox.labelIds[1]]));
    assert.deepEqual(await list({ unreadOnly: true, assigneeId: owner.userId, status: 'OPEN' }), await truth(`c.unread_count > 0 AND c.assignee_user_id = $1 AND c.status = 'OPEN'`, [owner.userId]));
    const filtered = (await t.client.data(INBOX, { first: 2, filter: { unreadOnly: true } }, owner.token)).conversations;
    assert.equal(filtered.totalCount, (await truth('c.unread_count > 0')).length, 'totalCount follows the filter');
    await t.client.data(`mutation ($id: ID!) { reopenConversation(id: $id) { status } }`, { id: inbox.conversationIds[4] }, agent.token);
    assert.deepEqual(await list({ status: 'CLOSED' }), []);
    await t.client.expectError('VALIDATION_FAILED', INBOX, { filter: { status: 'ARCHIVED' } }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', INBOX, { filter: { assigneeId: 'nobody' } }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', INBOX, { first: 101 }, owner.token);
    const forged = Buffer.from(JSON.stringify(['yesterday', inbox.conversationIds[0]])).toString('base64url');
    await t.client.expectError('VALIDATION_FAILED', INBOX, { first: 5, after: forged }, owner.token);
  });

  test('assign: members only, never an AUDITOR; null unassigns; a removed member resolves to null', async () => {
    const id = inbox.conversationIds[7];
    const assign = `mutation ($id: ID!, $userId: ID) { assignConversation(id: $id, userId: $userId) { id assignee { id name } } }`;
    const assigned = await t.client.data(assign, { id, userId: agent.userId }, agent.token);
    assert.deepEqual(assigned.assignConversation.assignee, { id: agent.userId, name: 'Andy Agent' });
    await t.client.expectError('NOT_FOUND', assign, { id, userId: other.userId }, owner.token);
    await t.client.expectError('NOT_FOUND', assign, { id, userId: 'not-a-uuid' }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', assign, { id, userId: auditor.userId }, owner.token);
    await t.client.expectError('NOT_FOUND', assign, { id: '00000000-0000-4000-8000-000000000000', userId: agent.userId }, owner.token);
    assert.equal((await t.client.data(assign, { id, userId: null }, owner.token)).assignConversation.assignee, null);

    const leaver = await memberWithRole(t, owner, 'AGENT', 'Lee Leaver');
    await t.client.data(assign, { id, userId: leaver.userId }, owner.token);
    assert.equal((await t.client.data(CONVERSATION, { id }, owner.token)).conversation.assignee.name, 'Lee Leaver');
    await t.client.data(`mutation ($u: ID!) { removeMember(userId: $u) }`, { u: leaver.userId }, owner.token);
    assert.equal((await t.client.data(CONVERSATION, { id }, owner.token)).conversation.assignee, null);
  });

  test('markConversationRead zeroes the unread count and stamps inbound messages read', async () => {
    const unreadIndex = [...inbox.conversationIds.keys()].find((i) => i % 3 !== 0)!;
    const id = inbox.conversationIds[unreadIndex];
    const before = await t.client.data(MESSAGES, { id, first: 10 }, owner.token);
    assert.ok(before.messages.edges.every((e: { node: { readAt: unknown } }) => e.node.readAt === null));
    const { markConversationRead } = await t.client.data(`mutation ($id: ID!) { markConversationRead(id: $id) { id unreadCount } }`, { id }, agent.token);
    assert.equal(markConversationRead.unreadCount, 0);
    const after = await t.client.data(MESSAGES, { id, first: 10 }, owner.token);
    assert.ok(after.messages.edges.every((e: { node: { readAt: unknown } }) => typeof e.node.readAt === 'string'));
    assert.equal((await t.client.data(`mutation ($id: ID!) { markConversationRead(id: $id) { unreadCount } }`, { id }, agent.token)).markConversationRead.unreadCount, 0, 'idempotent');
  });

  test('roles: AUDITOR reads but may not work conversations; AGENT may', async () => {
    const id = inbox.conversationIds[9];
    for (const mutation of [
      `mutation ($id: ID!) { closeConversation(id: $id) { id } }`,
      `mutation ($id: ID!) { reopenConversation(id: $id) { id } }`,
      `mutation ($id: ID!) { markConversationRead(id: $id) { id } }`,
      `mutation ($id: ID!) { assignConversation(id: $id, userId: null) { id } }`,
    ]) {
      await t.client.expectError('FORBIDDEN', mutation, { id }, auditor.token);
      await t.client.data(mutation, { id }, agent.token);
    }
    assert.equal((await t.client.data(CONVERSATION, { id }, auditor.token)).conversation.id, id);
    assert.equal((await t.client.data(MESSAGES, { id }, auditor.token)).messages.totalCount, 3);
  });

  test('paging the inbox with first=7 while conversations arrive: none missed or repeated, ties and NULL times kept', async () => {
    const tenant = await t.client.signUp();
    const seeded = await seedInbox(t, tenant.tenantId, { conversations: 40, tieEvery: 4, messagesPerConversation: 1, phoneBase: 491520000000 });
    // Three conversations without any message (last_message_at NULL), which sort first.
    await t.app.platform.router.withTenant(tenant.tenantId, (manager) =>
      manager.query(
        `WITH c AS (INSERT INTO contacts (name, phone) SELECT 'Silent ' || i, (491530000000 + i)::text FROM generate_series(1, 3) i RETURNING id)
         INSERT INTO conversations (contact_id) SELECT id FROM c`,
      ),
    );
    const existing = new Set<string>(
      (await t.app.platform.router.withTenant(tenant.tenantId, (manager) => manager.query('SELECT id FROM conversations'))).map((r: { id: string }) => r.id),
    );
    assert.equal(existing.size, 43);
    let arrivals = 0;
    const arrive = () =>
      seedInbox(t, tenant.tenantId, { conversations: 1, messagesPerConversation: 1, phoneBase: 491540000000 + ++arrivals * 10, newestSecondsAgo: 0 });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = (await t.client.data(INBOX, { first: 7, after }, tenant.token)).conversations;
      seen.push(...ids(page));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
      await arrive();
    } while (after && pages < 20);
    assert.equal(new Set(seen).size, seen.length, 'no conversation repeated');
    assert.deepEqual(seen.filter((id) => existing.has(id)).length, existing.size, 'every conversation that existed at the start was seen');
    assert.deepEqual(seen.slice(3).filter((id) => existing.has(id)), seeded.conversationIds, 'order: NULL times first, then newest first');
  });

  test('paging messages with first=7 while messages arrive, equal timestamps included', async () => {
    const id = inbox.conversationIds[0];
    await t.app.platform.router.withTenant(owner.tenantId, (manager) =>
      manager.query(
        `INSERT INTO messages (conversation_id, direction, from_address, to_address, body, created_at)
         SELECT $1, 'OUTBOUND', 'a', 'b', 'Tied ' || i, date_trunc('second', now()) - interval '2 hours' - make_interval(mins => i / 4) FROM generate_series(1, 20) i`,
        [id],
      ),
    );
    const existing = new Set<string>(
      (await t.app.platform.router.withTenant(owner.tenantId, (manager) => manager.query('SELECT id FROM messages WHERE conversation_id = $1', [id]))).map(
        (r: { id: string }) => r.id,
      ),
    );
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = (await t.client.data(MESSAGES, { id, first: 7, after }, owner.token)).messages;
      for (const { node } of page.edges) {
        assert.equal(node.conversationId, id);
        assert.equal(node.conversation.id, id);
        seen.push(node.id);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
      await t.app.platform.router.withTenant(owner.tenantId, (manager) =>
        manager.query(`INSERT INTO messages (conversation_id, direction, from_address, to_address, body) VALUES ($1, 'INBOUND', 'a', 'b', 'New')`, [id]),
      );
    } while (after && pages < 20);
    assert.equal(new Set(seen).size, seen.length, 'no message repeated');
    assert.equal(seen.filter((m) => existing.has(m)).length, existing.size, 'every message that existed at the start was seen');
    assert.equal(existing.size, 23);
  });

  test('cross-tenant reads by id return nothing', async () => {
    const id = inbox.conversationIds[1];
    assert.equal((await t.client.data(CONVERSATION, { id }, other.token)).conversation, null);
    await t.client.expectError('NOT_FOUND', MESSAGES, { id }, other.token);
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { closeConversation(id: $id) { id } }`, { id }, other.token);
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { markConversationRead(id: $id) { id } }`, { id }, other.token);
    assert.equal((await t.client.data(INBOX, {}, other.token)).conversations.totalCount, 0);
    assert.equal((await t.client.data(CONVERSATION, { id }, owner.token)).conversation.id, id);
    assert.equal((await t.client.data(CONVERSATION, { id: 'nope' }, owner.token)).conversation, null);
  });
});
