import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { memberWithRole, setPlanLimits, uniquePhone } from '../support/crm-fixtures';
import { Contact } from '../../src/modules/contacts/contact.entity';

const CONTACT_FIELDS = 'id name phone email notes optedOut createdAt groups { id name } labels { id name }';
const CREATE = `mutation ($input: CreateContactInput!) { createContact(input: $input) { ${CONTACT_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { ${CONTACT_FIELDS} } }`;
const GET = `query ($id: ID!) { contact(id: $id) { ${CONTACT_FIELDS} } }`;
const LIST = `query ($first: Int, $after: String, $filter: ContactFilter) {
  contacts(first: $first, after: $after, filter: $filter) { edges { cursor node { id name phone } } pageInfo { hasNextPage endCursor } totalCount }
}`;

// The CRUD core runs in both tenancy modes; the rest in the default (database) mode.
for (const mode of ['database', 'schema'] as const) {
  describe(`contacts CRUD in ${mode} mode`, () => {
    let t: TestApp;
    let owner: SignedUp;
    before(async () => {
      t = await startTestApp({ TENANCY_MODE: mode });
      owner = await t.client.signUp();
    });
    after(() => t.stop());

    test('create, read, update, soft delete, re-create and restore', async () => {
      const [typed, stored] = uniquePhone();
      const { createContact: created } = await t.client.data(CREATE, { input: { name: ' Ada Lovelace ', phone: typed, email: 'Ada@Example.com' } }, owner.token);
      assert.equal(created.name, 'Ada Lovelace');
      assert.equal(created.phone, stored, 'stored as E.164 digits without +');
      assert.equal(created.email, 'ada@example.com');
      assert.deepEqual(created.groups, []);
      assert.deepEqual(created.labels, []);

      const { contact } = await t.client.data(GET, { id: created.id }, owner.token);
      assert.equal(contact.id, created.id);

      const { updateContact } = await t.client.data(UPDATE, { id: created.id, input: { name: 'Ada King', email: null, notes: 'VIP' } }, owner.token);
      assert.equal(updateContact.name, 'Ada King');
      assert.equal(updateContact.email, null, 'null clears the email');
      assert.equal(updateContact.notes, 'VIP');
      assert.equal(updateContact.phone, stored, 'omitted fields stay');

      // The same number written differently is the same contact.
      const dup = await t.client.expectError('CONFLICT', CREATE, { input: { name: 'Copy', phone: `00${stored}` } }, owner.token);
      assert.match(dup.message, /phone number already exists/);

      const deleted = await t.client.data(`mutation ($id: ID!) { deleteContact(id: $id) }`, { id: created.id }, owner.token);
      assert.equal(deleted.deleteContact, true);
      assert.equal((await t.client.data(GET, { id: created.id }, owner.token)).contact, null, 'deleted contact is not found');
      const list = await t.client.data(LIST, { filter: { search: stored } }, owner.token);
      assert.equal(list.contacts.totalCount, 0, 'deleted contact is not listed');
      await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { deleteContact(id: $id) }`, { id: created.id }, owner.token);

      const { createContact: again } = await t.client.data(CREATE, { input: { name: 'Ada again', phone: typed } }, owner.token);
      assert.notEqual(again.id, created.id, 're-creating a deleted phone makes a new contact');

      // Restoring the first one now collides with the live one.
      const collision = await t.client.expectError('CONFLICT', `mutation ($id: ID!) { restoreContact(id: $id) { id } }`, { id: created.id }, owner.token);
      assert.match(collision.message, /Another contact/);
      await t.client.data(`mutation ($id: ID!) { deleteContact(id: $id) }`, { id: again.id }, owner.token);
      const { restoreContact } = await t.client.data(`mutation ($id: ID!) { restoreContact(id: $id) { id name } }`, { id: created.id }, owner.token);
      assert.equal(restoreContact.name, 'Ada King');
      assert.equal((await t.client.data(GET, { id: created.id }, owner.token)).contact.id, created.id);
    });
  });
}

describe('contacts', () => {
  let t: TestApp;
  let owner: SignedUp;
  let other: SignedUp;
  before(async () => {
    t = await startTestApp();
    [owner, other] = await Promise.all([t.client.signUp(), t.client.signUp()]);
    await setPlanLimits(t, owner.tenantId);
  });
  after(() => t.stop());

  test('validation: bad phone, bad email, empty name, first > 100 are VALIDATION_FAILED', async () => {
    for (const phone of ['12345', '+1 555 000 0001', 'call me', '+49 151 1234 5678 ext 9']) {
      const error = await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { name: 'X', phone } }, owner.token);
      assert.match(JSON.stringify(error.extensions), /phone/);
    }
    const email = await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { name: 'X', phone: uniquePhone()[0], email: 'not-an-email' } }, owner.token);
    assert.match(JSON.stringify(email.extensions), /email/);
    await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { name: '', phone: uniquePhone()[0] } }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', LIST, { first: 101 }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', LIST, { first: 0 }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', LIST, { first: 5, after: 'garbage' }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', UPDATE, { id: '00000000-0000-0000-0000-000000000000', input: { phone: '999' } }, owner.token);
  });

  test("with the tenant's defaultCountry set, national numbers are accepted in forms and CSV imports", async () => {
    const tenant = await t.client.signUp();
    // A new tenant each run: fixed numbers cannot collide.
    const national = '07911 123456';
    const international = '447911123456';
    await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { name: 'Before', phone: national } }, tenant.token);
    const SET = `mutation ($input: UpdateMasterConfigInput!) { updateMasterConfig(input: $input) { defaultCountry } }`;
    await t.client.expectError('VALIDATION_FAILED', SET, { input: { defaultCountry: 'XX' } }, tenant.token);
    assert.equal((await t.client.data(SET, { input: { defaultCountry: 'GB' } }, tenant.token)).updateMasterConfig.defaultCountry, 'GB');
    const created = (await t.client.data(CREATE, { input: { name: 'National', phone: national } }, tenant.token)).createContact;
    assert.equal(created.phone, international);
    const [typedElsewhere, storedElsewhere] = uniquePhone();
    assert.equal((await t.client.data(CREATE, { input: { name: 'Abroad', phone: typedElsewhere } }, tenant.token)).createContact.phone, storedElsewhere, 'numbers with a country code are unchanged');
    const IMPORT = `mutation ($csv: String!) { importContacts(csv: $csv) { imported errors { line problem } } }`;
    const imported = (await t.client.data(IMPORT, { csv: `name,phone\nAgain,${national}\nLandline,020 7946 0123\n` }, tenant.token)).importContacts;
    assert.deepEqual(imported.errors, [{ line: 2, problem: 'ALREADY_EXISTS' }], 'the national spelling matches the stored contact');
    assert.equal(imported.imported, 1);
  });

  test('roles: AUDITOR and AGENT read but may not manage contacts; MANAGER may', async () => {
    const [auditor, agent, manager] = await Promise.all([
      memberWithRole(t, owner, 'AUDITOR'),
      memberWithRole(t, owner, 'AGENT'),
      memberWithRole(t, owner, 'MANAGER'),
    ]);
    const { createContact: contact } = await t.client.data(CREATE, { input: { name: 'By manager', phone: uniquePhone()[0] } }, manager.token);
    for (const reader of [auditor, agent]) {
      assert.equal((await t.client.data(GET, { id: contact.id }, reader.token)).contact.id, contact.id);
      await t.client.expectError('FORBIDDEN', CREATE, { input: { name: 'Nope', phone: uniquePhone()[0] } }, reader.token);
      await t.client.expectError('FORBIDDEN', UPDATE, { id: contact.id, input: { name: 'Nope' } }, reader.token);
      await t.client.expectError('FORBIDDEN', `mutation ($id: ID!) { deleteContact(id: $id) }`, { id: contact.id }, reader.token);
      await t.client.expectError('FORBIDDEN', `mutation { importContacts(csv: "name,phone") { imported } }`, {}, reader.token);
    }
    await t.client.expectError('UNAUTHENTICATED', GET, { id: contact.id });
    assert.equal((await t.client.data(GET, { id: contact.id }, owner.token)).contact.name, 'By manager');
  });

  test('search and filters: name prefix, word prefix, phone digits, email, group, label', async () => {
    const make = async (name: string, email?: string) => {
      const [typed, stored] = uniquePhone();
      const { createContact } = await t.client.data(CREATE, { input: { name, phone: typed, email } }, owner.token);
      return { ...createContact, stored };
    };
    const grace = await make('Grace Hopper', 'grace@navy.example');
    const alan = await make('Alan Turing', 'alan@bletchley.example');
    await make('100% Real_Name');
    const search = async (filter: Record<string, string>) =>
      (await t.client.data(LIST, { filter, first: 50 }, owner.token)).contacts.edges.map((e: { node: { name: string } }) => e.node.name).sort();
    assert.deepEqual(await search({ search: 'gra' }), ['Grace Hopper']);
    assert.deepEqual(await search({ search: 'hop' }), ['Grace Hopper'], 'second word');
    assert.deepEqual(await search({ search: `+${alan.stored.slice(0, 2)} ${alan.stored.slice(2)}` }), ['Alan Turing'], 'phone with punctuation');
    assert.deepEqual(await search({ search: 'ALAN@' }), ['Alan Turing'], 'email, case-insensitive');
    assert.deepEqual(await search({ search: '100%' }), ['100% Real_Name'], 'LIKE wildcards are literal');
    assert.deepEqual(await search({ search: '1_0' }), [], 'underscore is literal');

    const { createContactGroup: group } = await t.client.data(`mutation { createContactGroup(input: { name: "Pioneers" }) { id } }`, {}, owner.token);
    await t.client.data(`mutation ($g: ID!, $ids: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $ids) { id memberCount } }`, { g: group.id, ids: [grace.id, alan.id] }, owner.token);
    const { createLabel: label } = await t.client.data(`mutation { createLabel(input: { name: "Computing", color: "#00AA00" }) { id color } }`, {}, owner.token);
    assert.equal(label.color, '#00aa00');
    await t.client.data(`mutation ($c: ID!, $l: ID!) { labelContact(contactId: $c, labelId: $l) { id } }`, { c: grace.id, l: label.id }, owner.token);
    assert.deepEqual(await search({ groupId: group.id }), ['Alan Turing', 'Grace Hopper']);
    assert.deepEqual(await search({ labelId: label.id }), ['Grace Hopper']);
    assert.deepEqual(await search({ labelId: label.id, groupId: group.id, search: 'gr' }), ['Grace Hopper']);

    const { contact } = await t.client.data(GET, { id: grace.id }, owner.token);
    assert.deepEqual(contact.groups.map((g: { name: string }) => g.name), ['Pioneers']);
    assert.deepEqual(contact.labels.map((l: { name: string }) => l.name), ['Computing']);
  });

  test('paging with first=7 while contacts are added between pages: nothing missed or repeated, ties kept', async () => {
    const tenant = await t.client.signUp();
    // 40 contacts, created in groups of five sharing one created_at to the microsecond.
    await t.app.platform.router.withTenant(tenant.tenantId, (manager) =>
      manager.query(
        `INSERT INTO contacts (name, phone, created_at)
         SELECT 'Paged ' || i, (4915100000000 + i)::text, date_trunc('second', now()) - make_interval(secs => i / 5) FROM generate_series(1, 40) i`,
      ),
    );
    const existing = new Set<string>(
      (await t.app.platform.router.withTenant(tenant.tenantId, (manager) => manager.getRepository(Contact).find())).map((c) => c.id),
    );
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    let totalCount = -1;
    do {
      const result: any = await t.client.data(LIST, { first: 7, after }, tenant.token);
      totalCount = result.contacts.totalCount;
      seen.push(...result.contacts.edges.map((edge: { node: { id: string } }) => edge.node.id));
      after = result.contacts.pageInfo.hasNextPage ? result.contacts.pageInfo.endCursor : null;
      pages += 1;
      // Someone adds a contact between pages.
      await t.client.data(CREATE, { input: { name: `Added ${pages}`, phone: uniquePhone()[0] } }, tenant.token);
    } while (after && pages < 20);
    const fromStart = seen.filter((id) => existing.has(id));
    assert.equal(new Set(seen).size, seen.length, 'no contact repeated');
    assert.equal(fromStart.length, existing.size, 'every contact that existed at the start was seen');
    assert.equal(pages, 6, '40 rows in pages of 7');
    assert.ok(totalCount >= 40);
  });

  test('a contacts page with groups and labels costs the same statements for 5 and for 40 contacts', async () => {
    const tenant = await t.client.signUp();
    await t.app.platform.router.withTenant(tenant.tenantId, async (manager) => {
      await manager.query(`INSERT INTO contacts (name, phone) SELECT 'Batch ' || i, (4915200000000 + i)::text FROM generate_series(1, 40) i`);
      await manager.query(`INSERT INTO labels (name) VALUES ('A'), ('B')`);
      await manager.query(`INSERT INTO contact_groups (name) VALUES ('G1'), ('G2')`);
      await manager.query(`INSERT INTO contact_labels (contact_id, label_id) SELECT c.id, l.id FROM contacts c, labels l`);
      await manager.query(`INSERT INTO contact_group_members (group_id, contact_id) SELECT g.id, c.id FROM contacts c, contact_groups g`);
    });
    const page = `query ($first: Int) { contacts(first: $first) { edges { node { name groups { name memberCount } labels { name } } } totalCount } }`;
    await t.client.data(page, { first: 1 }, tenant.token); // warm the tenant registry cache
    const statements: number[] = [];
    for (const first of [5, 40]) {
      const result = await t.client.request(page, { first }, tenant.token);
      assert.equal(result.errors, undefined);
      assert.equal(result.data.contacts.edges.length, first);
      assert.ok(result.data.contacts.edges.every((e: any) => e.node.groups.length === 2 && e.node.labels.length === 2 && e.node.groups[0].memberCount === 40));
      statements.push(result.extensions!.sqlStatements!);
    }
    assert.equal(statements[0], statements[1], `statements: ${statements}`);
    assert.ok(statements[0] <= 5, `page, count, groups, member counts, labels: ${statements[0]}`);
  });

  test('plan limit: createContact stops at maxContacts with PLAN_LIMIT_REACHED, also under concurrency', async () => {
    const tenant = await t.client.signUp();
    await setPlanLimits(t, tenant.tenantId, { maxContacts: 5 });
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.client.request(CREATE, { input: { name: `Racer ${i}`, phone: uniquePhone()[0] } }, tenant.token)),
    );
    const ok = attempts.filter((r) => !r.errors);
    const refused = attempts.filter((r) => r.errors?.[0]?.extensions?.code === 'PLAN_LIMIT_REACHED');
    assert.equal(ok.length, 5, 'exactly the limit is created');
    assert.equal(refused.length, 7);
    assert.equal((await t.client.data(LIST, {}, tenant.token)).contacts.totalCount, 5);

    // Deleting frees a slot; restoring needs one.
    const victim = ok[0].data.createContact.id;
    await t.client.data(`mutation ($id: ID!) { deleteContact(id: $id) }`, { id: victim }, tenant.token);
    const { createContact: replacement } = await t.client.data(CREATE, { input: { name: 'Replacement', phone: uniquePhone()[0] } }, tenant.token);
    await t.client.expectError('PLAN_LIMIT_REACHED', `mutation ($id: ID!) { restoreContact(id: $id) { id } }`, { id: victim }, tenant.token);
    await t.client.data(`mutation ($id: ID!) { deleteContact(id: $id) }`, { id: replacement.id }, tenant.token);
    await t.client.data(`mutation ($id: ID!) { restoreContact(id: $id) { id } }`, { id: victim }, tenant.token);
  });

  test('cross-tenant reads by id return nothing', async () => {
    const { createContact: mine } = await t.client.data(CREATE, { input: { name: 'Only mine', phone: uniquePhone()[0] } }, owner.token);
    assert.equal((await t.client.data(GET, { id: mine.id }, other.token)).contact, null);
    await t.client.expectError('NOT_FOUND', UPDATE, { id: mine.id, input: { name: 'Hijack' } }, other.token);
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { deleteContact(id: $id) }`, { id: mine.id }, other.token);
    assert.equal((await t.client.data(LIST, { filter: { search: 'Only mine' } }, other.token)).contacts.totalCount, 0);
    assert.equal((await t.client.data(GET, { id: 'not-a-uuid' }, owner.token)).contact, null, 'malformed id is simply not found');
    assert.equal((await t.client.data(GET, { id: mine.id }, owner.token)).contact.name, 'Only mine');
  });
});
