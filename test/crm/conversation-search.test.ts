import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { seedInbox, setPlanLimits } from '../support/crm-fixtures';
import { contactSearchCondition } from '../../src/modules/inbox/conversation-search';

const SEARCH = `query ($filter: ConversationFilter, $first: Int) {
  conversations(first: $first, filter: $filter) { totalCount edges { node { id status contact { name phone } } } }
}`;

/** Named customers, each with one conversation; their phones share the prefix 4930555. */
const PEOPLE = [
  { name: 'Anna Smith', phone: '493055500001' },
  { name: 'Bob Smithers', phone: '493055500002' },
  { name: 'Carla Jones-Smythe', phone: '493055500003' },
  { name: 'Émile Zola', phone: '493055511114' },
  { name: 'Dana 50% Off', phone: '493055511115' },
];

describe('searching the inbox by customer', () => {
  let t: TestApp;
  let owner: SignedUp;
  let other: SignedUp;
  const conversationOf = new Map<string, string>();

  before(async () => {
    t = await startTestApp();
    [owner, other] = await Promise.all([t.client.signUp(), t.client.signUp()]);
    await Promise.all([setPlanLimits(t, owner.tenantId), setPlanLimits(t, other.tenantId)]);
    // Enough other customers for the planner to prefer the indexes over scanning contacts.
    await seedInbox(t, owner.tenantId, { conversations: 3000, messagesPerConversation: 1, phoneBase: 447000000000 });
    // The other tenant has an Anna too, and the same phone prefix: none of it may show.
    await seedInbox(t, other.tenantId, { conversations: 3, messagesPerConversation: 1, phoneBase: 493055500100 });
    await t.app.platform.router.withTenant(other.tenantId, (manager) => manager.query(`UPDATE contacts SET name = 'Anna Other'`));
    await t.app.platform.router.withTenant(owner.tenantId, async (manager) => {
      for (const [i, person] of PEOPLE.entries()) {
        const [contact] = await manager.query('INSERT INTO contacts (name, phone) VALUES ($1, $2) RETURNING id', [person.name, person.phone]);
        const [conversation] = await manager.query(
          `INSERT INTO conversations (contact_id, status, last_message_at) VALUES ($1, $2, now() - make_interval(mins => $3::int)) RETURNING id`,
          [contact.id, i === 1 ? 'CLOSED' : 'OPEN', i],
        );
        conversationOf.set(person.name, conversation.id);
      }
      await manager.query('ANALYZE contacts');
      await manager.query('ANALYZE conversations');
    });
  });
  after(() => t.stop());

  const names = async (search: string, extra: Record<string, unknown> = {}, token = owner.token) => {
    const { conversations } = await t.client.data(SEARCH, { filter: { search, ...extra }, first: 50 }, token);
    assert.equal(conversations.totalCount, conversations.edges.length, 'totalCount counts the same matches');
    return conversations.edges.map((edge: any) => edge.node.contact.name).sort();
  };

  test('by the start of the name or of any word in it, case-insensitive', async () => {
    assert.deepEqual(await names('anna'), ['Anna Smith']);
    assert.deepEqual(await names('SMI'), ['Anna Smith', 'Bob Smithers']);
    assert.deepEqual(await names('smy'), ['Carla Jones-Smythe'], 'a word after a hyphen');
    assert.deepEqual(await names('anna sm'), ['Anna Smith'], 'several words: each starts a word');
    assert.deepEqual(await names('  bob SMITHERS '), ['Bob Smithers']);
    assert.deepEqual(await names('émile'), ['Émile Zola']);
    assert.deepEqual(await names('ith'), [], 'the middle of a word does not match');
    assert.deepEqual(await names('50% off'), ['Dana 50% Off']);
    assert.deepEqual(await names('%'), [], 'LIKE wildcards are literal');
    assert.deepEqual(await names('d_na'), []);
    assert.deepEqual(await names('smi', { status: 'OPEN' }), ['Anna Smith'], 'combined with the other filters');
  });

  test('by the digits of the phone number, however they are typed', async () => {
    assert.deepEqual(await names('+49 30 555 000'), ['Anna Smith', 'Bob Smithers', 'Carla Jones-Smythe']);
    assert.deepEqual(await names('4930555-11115'), ['Dana 50% Off']);
    assert.deepEqual(await names('(4930) 5551'), ['Dana 50% Off', 'Émile Zola']);
    assert.deepEqual(await names('0555'), [], 'a prefix of the digits, not a part of them');
  });

  test("another tenant's customers never match", async () => {
    assert.deepEqual(await names('anna', {}, other.token), ['Anna Other', 'Anna Other', 'Anna Other']);
    assert.deepEqual(await names('smith', {}, other.token), []);
    assert.deepEqual(await names('+49 30 555 000', {}, other.token), [], "the owner's numbers");
    assert.deepEqual(await names('+49 30 555 001', {}, other.token), ['Anna Other', 'Anna Other', 'Anna Other']);
    assert.deepEqual(await names('+49 30 555 001'), [], "the other tenant's numbers");
  });

  test('a search longer than 100 characters is refused', async () => {
    await t.client.expectError('VALIDATION_FAILED', SEARCH, { filter: { search: 'a'.repeat(101) } }, owner.token);
  });

  test('the search is served by indexes of contacts, never by scanning them', async () => {
    for (const search of ['smi', 'anna sm', '+49 30 555']) {
      const params: unknown[] = [];
      const condition = contactSearchCondition(search, (value) => `$${params.push(value)}`)!;
      const plan = await t.app.platform.router.withTenant(owner.tenantId, (manager) =>
        manager.query(
          `EXPLAIN (FORMAT JSON) SELECT c.id FROM conversations c WHERE ${condition} ORDER BY c.last_message_at DESC, c.id DESC LIMIT 21`,
          params,
        ),
      );
      const nodes: Array<Record<string, any>> = [];
      const walk = (node: Record<string, any>) => {
        nodes.push(node);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(plan[0]['QUERY PLAN'][0].Plan);
      const indexes = [...new Set(nodes.map((node) => node['Index Name']).filter(Boolean))];
      console.log(`# search ${JSON.stringify(search)}: indexes ${indexes.join(', ')}`);
      const contactScans = nodes.filter((node) => node['Relation Name'] === 'contacts').map((node) => node['Node Type']);
      assert.ok(contactScans.length > 0 && !contactScans.includes('Seq Scan'), `no scan of contacts for ${search}: ${contactScans}`);
      assert.ok(indexes.includes('IDX_contacts_name_lower'), `name prefix by index for ${search}`);
      assert.ok(indexes.includes('IDX_contacts_name_words'), `word prefix by index for ${search}`);
      if (search.startsWith('+')) assert.ok(indexes.includes('IDX_contacts_phone_prefix'), 'phone prefix by index');
    }
  });
});
