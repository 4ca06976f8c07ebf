import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { seedInbox, setPlanLimits, uniquePhone } from '../support/crm-fixtures';
import { assertFieldError } from '../crm-rest/crm-support';

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const HISTORY = `query ($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  conversation(id: $id) { messages(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } ${PAGE_INFO} totalCount } }
}`;
const MESSAGES = `query ($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  messages(conversationId: $id, first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } ${PAGE_INFO} }
}`;
const WITH_RELATIONS = `query ($id: ID!, $last: Int) {
  conversation(id: $id) { messages(last: $last) { edges { node { id body media { id url mimeType fileName sizeBytes } replyTo { id body media { id url } } sentBy { id } reactions { emoji } } } } }
}`;
const MESSAGE_COUNT = 45;

interface Page {
  edges: Array<{ cursor: string; node: { id: string } }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount?: number;
}
const ids = (page: Page) => page.edges.map((edge) => edge.node.id);

/** startCursor / endCursor are the first and last edges' cursors (null on an empty page). */
function assertCursorsMatchEdges(page: Page) {
  assert.equal(page.pageInfo.startCursor, page.edges[0]?.cursor ?? null);
  assert.equal(page.pageInfo.endCursor, page.edges[page.edges.length - 1]?.cursor ?? null);
}

describe('message history pages backwards; PageInfo is full Relay', () => {
  let t: TestApp;
  let owner: SignedUp;
  let other: SignedUp;
  let conversationId: string;
  let emptyConversationId: string;
  /** The conversation's messages, oldest first (created_at, id), as seeded. */
  let chronological: string[];

  before(async () => {
    t = await startTestApp();
    [owner, other] = await Promise.all([t.client.signUp(), t.client.signUp()]);
    await setPlanLimits(t, owner.tenantId);
    const seeded = await seedInbox(t, owner.tenantId, { conversations: 2, messagesPerConversation: 0 });
    [conversationId, emptyConversationId] = seeded.conversationIds;
    chronological = await t.app.platform.router.withTenant(owner.tenantId, async (manager) => {
      const [document] = await manager.query(
        `INSERT INTO documents (filename, content_type, size_bytes, sha256, storage_key, source)
         VALUES ('photo.jpg', 'image/jpeg', 1234, $1, 'x/none', 'INBOUND_MEDIA') RETURNING id`,
        [crypto.randomBytes(32).toString('hex')],
      );
      // Three messages per second: ties on created_at are ordered by id, and must not be skipped or repeated.
      const rows: Array<{ id: string }> = await manager.query(
        `INSERT INTO messages (conversation_id, direction, from_address, to_address, body, status, document_id, created_at)
         SELECT $1, CASE WHEN i % 2 = 0 THEN 'INBOUND' ELSE 'OUTBOUND' END, '447700900000', '447700900001', 'Message ' || i, 'DELIVERED',
                CASE WHEN i % 3 = 0 THEN $3::uuid END, date_trunc('second', now()) - interval '1 hour' + make_interval(secs => i / 3)
           FROM generate_series(0, $2::int - 1) i RETURNING id`,
        [conversationId, MESSAGE_COUNT, document.id],
      );
      // Every message quotes the one before it.
      await manager.query(
        `UPDATE messages m SET reply_to_id = p.prev FROM (
           SELECT id, lag(id) OVER (ORDER BY created_at, id) AS prev FROM messages WHERE conversation_id = $1) p
          WHERE p.id = m.id AND p.prev IS NOT NULL`,
        [conversationId],
      );
      const ordered: Array<{ id: string }> = await manager.query(
        'SELECT id FROM messages WHERE conversation_id = $1 ORDER BY created_at, id',
        [conversationId],
      );
      assert.equal(rows.length, MESSAGE_COUNT);
      return ordered.map((row) => row.id);
    });
  });
  after(() => t.stop());

  const history = async (variables: Record<string, unknown>, id = conversationId): Promise<Page> =>
    (await t.client.data(HISTORY, { id, ...variables }, owner.token)).conversation.messages;

  test('last: 20 then before: startCursor walks 45 messages back, each once, in chronological order', async () => {
    const newest = await history({ last: 20 });
    assert.deepEqual(ids(newest), chronological.slice(-20), 'the newest 20, oldest of them first');
    assert.deepEqual(newest.pageInfo.hasPreviousPage, true);
    assert.deepEqual(newest.pageInfo.hasNextPage, false, 'nothing newer');
    assert.equal(newest.totalCount, MESSAGE_COUNT);
    assertCursorsMatchEdges(newest);

    // A customer writes while the agent scrolls up: it is newer than every cursor and never shifts the pages.
    const seen = [...ids(newest)];
    let page = newest;
    const pages: Page[] = [newest];
    while (page.pageInfo.hasPreviousPage) {
      await t.app.platform.router.withTenant(owner.tenantId, (manager) =>
        manager.query(
          `INSERT INTO messages (conversation_id, direction, from_address, to_address, body, status) VALUES ($1, 'INBOUND', '1', '2', 'late', 'DELIVERED')`,
          [conversationId],
        ),
      );
      page = await history({ last: 20, before: page.pageInfo.startCursor });
      assertCursorsMatchEdges(page);
      assert.equal(page.pageInfo.hasNextPage, true, 'there are newer messages after this page');
      seen.unshift(...ids(page));
      pages.push(page);
      assert.ok(pages.length < 10, 'paging terminates');
    }
    assert.deepEqual(pages.map((p) => p.edges.length), [20, 20, 5]);
    assert.equal(pages[2].pageInfo.hasPreviousPage, false, 'the oldest page says so');
    assert.equal(new Set(seen).size, seen.length, 'no message twice');
    assert.deepEqual(seen, chronological, 'every message once, in order');
  });

  test('first/after reads the same history forwards, with hasPreviousPage and startCursor', async () => {
    const all = await t.app.platform.router.withTenant(owner.tenantId, (manager) =>
      manager.query('SELECT id FROM messages WHERE conversation_id = $1 ORDER BY created_at, id', [conversationId]),
    );
    const truth = all.map((row: { id: string }) => row.id);
    const seen: string[] = [];
    let page = await history({ first: 20 });
    assert.equal(page.pageInfo.hasPreviousPage, false, 'the first page has nothing before it');
    assert.equal(page.pageInfo.hasNextPage, true);
    for (;;) {
      assertCursorsMatchEdges(page);
      seen.push(...ids(page));
      if (!page.pageInfo.hasNextPage) break;
      page = await history({ first: 20, after: page.pageInfo.endCursor });
      assert.equal(page.pageInfo.hasPreviousPage, true);
    }
    assert.deepEqual(seen, truth);
    // Back from the last forward page's start: the page before it, exactly.
    const back = await history({ last: 20, before: page.pageInfo.startCursor });
    assert.deepEqual(ids(back), truth.slice(-page.edges.length - 20, -page.edges.length));
  });

  test('the top-level messages query keeps newest first and gains last/before (read from the oldest end)', async () => {
    const { messages: newestFirst } = await t.client.data(MESSAGES, { id: conversationId, first: 100 }, owner.token);
    const truth = ids(newestFirst);
    assert.equal(newestFirst.pageInfo.hasPreviousPage, false);
    assert.equal(newestFirst.pageInfo.hasNextPage, false);
    assert.deepEqual(truth.slice(-MESSAGE_COUNT), [...chronological].reverse(), 'newest first, as before');
    const seen: string[] = [];
    let before: string | null = null;
    for (let i = 0; i < 10; i += 1) {
      const { messages: page }: { messages: Page } = await t.client.data(MESSAGES, { id: conversationId, last: 15, before }, owner.token);
      assertCursorsMatchEdges(page);
      seen.unshift(...ids(page));
      assert.equal(page.pageInfo.hasNextPage, before !== null);
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    assert.deepEqual(seen, truth);
  });

  test('an empty history, mixed directions and bad cursors', async () => {
    const empty = await history({ last: 20 }, emptyConversationId);
    assert.deepEqual(empty, { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }, totalCount: 0 });
    const cursor = (await history({ last: 1 })).pageInfo.startCursor;
    for (const [variables, field] of [
      [{ first: 5, last: 5 }, 'last'],
      [{ after: cursor, last: 5 }, 'last'],
      [{ first: 5, before: cursor }, 'before'],
    ] as const) {
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', HISTORY, { id: conversationId, ...variables }, owner.token), field);
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', MESSAGES, { id: conversationId, ...variables }, owner.token), field);
    }
    const badBefore = await t.client.expectError('VALIDATION_FAILED', HISTORY, { id: conversationId, last: 5, before: 'bm9wZQ' }, owner.token);
    assert.equal((badBefore.extensions as any).details.field, 'before');
    await t.client.expectError('VALIDATION_FAILED', HISTORY, { id: conversationId, last: 0 }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', HISTORY, { id: conversationId, last: 101 }, owner.token);
    // Another tenant sees neither the conversation nor its messages.
    assert.equal((await t.client.data(HISTORY, { id: conversationId, last: 5 }, other.token)).conversation, null);
    await t.client.expectError('NOT_FOUND', MESSAGES, { id: conversationId, last: 5 }, other.token);
  });

  test('media and replyTo are batched: the same SQL statements for 10 and for 40 messages', async () => {
    const counts: Record<number, number> = {};
    for (const last of [10, 40]) {
      const result = await t.client.request(WITH_RELATIONS, { id: conversationId, last }, owner.token);
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const edges = result.data.conversation.messages.edges;
      assert.equal(edges.length, last);
      assert.ok(edges.some((e: any) => e.node.media?.url) && edges.some((e: any) => e.node.replyTo?.media?.url), 'relations are filled in');
      assert.ok(edges.filter((e: any) => e.node.body !== 'late').every((e: any) => e.node.replyTo?.id), 'every seeded message quotes one');
      counts[last] = result.extensions!.sqlStatements!;
    }
    console.log(`# sqlStatements last=10 → ${counts[10]}, last=40 → ${counts[40]}`);
    assert.equal(counts[10], counts[40], 'the count does not grow with the page');
    assert.ok(counts[10] <= 7, `at most 7 statements, got ${counts[10]}`);
  });

  test('every connection has hasPreviousPage and startCursor', async () => {
    const page = async (field: string, after: string | null) =>
      (await t.client.data(`query ($after: String) { ${field}(first: 1, after: $after) { edges { cursor } ${PAGE_INFO} } }`, { after }, owner.token))[field];
    // Two recorded events at least, for the audit log (a list of its own, built by hand).
    for (const name of ['Page One', 'Page Two']) {
      await t.client.data('mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }', { input: { name, phone: uniquePhone()[0] } }, owner.token);
    }
    for (const field of ['conversations', 'contacts', 'auditLog']) {
      const first = await page(field, null);
      assert.equal(first.pageInfo.hasPreviousPage, false, field);
      assert.equal(first.pageInfo.hasNextPage, true, field);
      assertCursorsMatchEdges(first);
      const second = await page(field, first.pageInfo.endCursor);
      assert.equal(second.pageInfo.hasPreviousPage, true, field);
      assertCursorsMatchEdges(second);
      assert.notEqual(second.pageInfo.startCursor, first.pageInfo.startCursor, field);
    }
  });
});
