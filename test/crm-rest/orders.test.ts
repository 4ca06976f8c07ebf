import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../support/test-app';
import { translateDbError } from '../../src/platform/db/pg-errors';
import { AppError } from '../../src/platform/errors';
import { assertFieldError, startCrmApp, assertPaginationRoundTrip, seedContacts, setUpTenant, type CrmTenant } from './crm-support';

const FIELDS = 'id contactId contact { id } status currency totalCents notes items { id productName sku quantity unitPriceCents lineTotalCents }';
const CREATE = `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { ${FIELDS} } }`;
const STATUS = `mutation ($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) { ${FIELDS} } }`;
const ADD = `mutation ($orderId: ID!, $input: OrderItemInput!) { addOrderItem(orderId: $orderId, input: $input) { ${FIELDS} } }`;
const REMOVE = `mutation ($id: ID!) { removeOrderItem(id: $id) { ${FIELDS} } }`;
const LIST = `query ($first: Int, $after: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, filter: $filter) { totalCount edges { cursor node { ${FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;

const item = (overrides: Record<string, unknown> = {}) => ({ productName: 'Mug', sku: 'MUG-1', quantity: 2, unitPriceCents: 1250, ...overrides });

// Both tenancy modes: orders lean on transactions, row locks and a trigger (search_path pinned).
for (const mode of ['database', 'schema'] as const) {
  describe(`orders (${mode} mode)`, () => {
    let t: TestApp;
    let a: CrmTenant;
    let b: CrmTenant;
    let alice: string;
    let bob: string;
    before(async () => {
      ({ t, a, b } = await startCrmApp({ TENANCY_MODE: mode }));
      [alice, bob] = await seedContacts(t, a.tenantId, [{ name: 'Alice' }, { name: 'Bob' }]);
    });
    after(() => t.stop());

    const create = async (contactId: string, items = [item()], token = a.tokens.MANAGER) =>
      (await t.client.data(CREATE, { input: { contactId, currency: 'EUR', notes: 'gift wrap', items } }, token)).createOrder;

    test('the total follows the items, computed by the database', async () => {
      const order = await create(alice, [item(), item({ productName: 'Tea', sku: null, quantity: 3, unitPriceCents: 499 })]);
      assert.equal(order.status, 'PENDING');
      assert.equal(order.contactId, alice);
      assert.equal(order.contact.id, alice);
      assert.equal(order.totalCents, 2 * 1250 + 3 * 499);
      assert.deepEqual(order.items.map((i: any) => i.lineTotalCents).sort(), [1497, 2500]);

      const added = (await t.client.data(ADD, { orderId: order.id, input: item({ productName: 'Spoon', quantity: 10, unitPriceCents: 100 }) }, a.tokens.MANAGER))
        .addOrderItem;
      assert.equal(added.totalCents, 2500 + 1497 + 1000);
      assert.equal(added.items.length, 3);

      const tea = added.items.find((i: any) => i.productName === 'Tea');
      const removed = (await t.client.data(REMOVE, { id: tea.id }, a.tokens.MANAGER)).removeOrderItem;
      assert.equal(removed.totalCents, 2500 + 1000);
      assert.equal(removed.items.length, 2);

      const { order: read } = await t.client.data(`query ($id: ID!) { order(id: $id) { ${FIELDS} } }`, { id: order.id }, a.tokens.AUDITOR);
      assert.equal(read.totalCents, 3500);
      // The stored column agrees (nobody computed it in the app).
      const stored = await t.app.platform.router.withTenant(a.tenantId, (m) => m.query('SELECT total_cents::int AS total FROM orders WHERE id = $1', [order.id]));
      assert.equal(stored[0].total, 3500);
    });

    test('status ladder and item changes only while PENDING', async () => {
      const order = await create(alice);
      const conflict = await t.client.expectError('CONFLICT', STATUS, { id: order.id, status: 'SHIPPED' }, a.tokens.MANAGER);
      assert.deepEqual((conflict.extensions as any).details.allowed, ['CONFIRMED', 'CANCELLED']);
      assert.equal((await t.client.data(STATUS, { id: order.id, status: 'CONFIRMED' }, a.tokens.MANAGER)).updateOrderStatus.status, 'CONFIRMED');
      assert.equal((await t.client.data(STATUS, { id: order.id, status: 'CONFIRMED' }, a.tokens.MANAGER)).updateOrderStatus.status, 'CONFIRMED', 'same status is a no-op');
      await t.client.expectError('CONFLICT', ADD, { orderId: order.id, input: item() }, a.tokens.MANAGER);
      await t.client.expectError('CONFLICT', REMOVE, { id: order.items[0].id }, a.tokens.MANAGER);
      await t.client.data(STATUS, { id: order.id, status: 'SHIPPED' }, a.tokens.MANAGER);
      await t.client.data(STATUS, { id: order.id, status: 'DELIVERED' }, a.tokens.MANAGER);
      await t.client.expectError('CONFLICT', STATUS, { id: order.id, status: 'CANCELLED' }, a.tokens.MANAGER);

      const other = await create(bob);
      await t.client.data(STATUS, { id: other.id, status: 'CONFIRMED' }, a.tokens.MANAGER);
      assert.equal((await t.client.data(STATUS, { id: other.id, status: 'CANCELLED' }, a.tokens.MANAGER)).updateOrderStatus.status, 'CANCELLED');
      await t.client.expectError('CONFLICT', STATUS, { id: other.id, status: 'PENDING' }, a.tokens.MANAGER);

      const single = await create(bob);
      await t.client.expectError('CONFLICT', REMOVE, { id: single.items[0].id }, a.tokens.MANAGER);
    });

    test('validation at the edge, and database CHECKs as VALIDATION_FAILED', async () => {
      const base = { contactId: alice, currency: 'EUR', items: [item()] };
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { ...base, items: [item({ quantity: 0 })] } }, a.tokens.MANAGER), 'items');
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { ...base, items: [item({ unitPriceCents: -1 })] } }, a.tokens.MANAGER), 'items');
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { ...base, items: [] } }, a.tokens.MANAGER), 'items');
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { ...base, currency: 'XYZ' } }, a.tokens.MANAGER), 'currency');
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { ...base, contactId: 'nope' } }, a.tokens.MANAGER), 'contactId');
      const unknown = await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { ...base, contactId: '00000000-0000-4000-8000-000000000000' } }, a.tokens.MANAGER);
      assertFieldError(unknown, 'contactId');
      const [deleted] = await seedContacts(t, a.tenantId, [{ deleted: true }]);
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { ...base, contactId: deleted } }, a.tokens.MANAGER), 'contactId');
      const order = await create(alice);
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', ADD, { orderId: order.id, input: item({ quantity: -3 }) }, a.tokens.MANAGER), 'quantity');
      // A failed create leaves nothing behind (one transaction).
      const before = (await t.client.data(LIST, { filter: { contactId: bob } }, a.tokens.MANAGER)).orders.totalCount;
      await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { ...base, contactId: bob, items: [item(), item({ quantity: 0 })] } }, a.tokens.MANAGER);
      assert.equal((await t.client.data(LIST, { filter: { contactId: bob } }, a.tokens.MANAGER)).orders.totalCount, before);

      // Past the edge, the database's own CHECKs still hold and map to VALIDATION_FAILED.
      const dbError = await t.app.platform.router
        .withTenant(a.tenantId, (m) =>
          m.query(`INSERT INTO order_items (order_id, product_name, quantity, unit_price_cents) VALUES ($1, 'x', 0, 1)`, [order.id]),
        )
        .then(() => null, (error) => error);
      const translated = translateDbError(dbError);
      assert.ok(translated instanceof AppError);
      assert.equal(translated.code, 'VALIDATION_FAILED');
      assert.equal((translated as any).constraint, 'CHK_order_items_quantity');
      // Clients never see constraint or table names.
      assert.equal(translated.extensions.details, undefined);
      assert.doesNotMatch(JSON.stringify({ message: translated.message, extensions: translated.extensions }), /CHK_|order_items/);
    });

    test('list per contact and status, items batched', async () => {
      const tenant = await setUpTenant(t);
      const [carol, dave] = await seedContacts(t, tenant.tenantId, [{ name: 'Carol' }, { name: 'Dave' }]);
      const carolOrders = [];
      for (let i = 0; i < 3; i += 1) carolOrders.push((await create(carol, [item(), item({ productName: `Extra ${i}` })], tenant.tokens.MANAGER)).id);
      const daveOrder = (await create(dave, [item()], tenant.tokens.MANAGER)).id;
      await t.client.data(STATUS, { id: carolOrders[0], status: 'CONFIRMED' }, tenant.tokens.MANAGER);

      const forCarol = await t.client.request(LIST, { filter: { contactId: carol } }, tenant.tokens.AGENT);
      assert.deepEqual(forCarol.data.orders.edges.map((e: any) => e.node.id), [...carolOrders].reverse());
      assert.ok(forCarol.data.orders.edges.every((e: any) => e.node.items.length === 2));
      const confirmed = await t.client.data(LIST, { filter: { contactId: carol, status: 'CONFIRMED' } }, tenant.tokens.AGENT);
      assert.deepEqual(confirmed.orders.edges.map((e: any) => e.node.id), [carolOrders[0]]);
      const all = await t.client.request(LIST, {}, tenant.tokens.AGENT);
      assert.equal(all.data.orders.totalCount, 4);
      assert.ok(all.data.orders.edges.some((e: any) => e.node.id === daveOrder));
      // Items of 3 or 4 orders cost the same number of statements: one batch.
      assert.equal(typeof all.extensions?.sqlStatements, 'number');
      assert.equal(all.extensions?.sqlStatements, forCarol.extensions?.sqlStatements);
    });

    test('roles and other tenants', async () => {
      const input = { contactId: alice, currency: 'EUR', items: [item()] };
      await t.client.expectError('FORBIDDEN', CREATE, { input }, a.tokens.AGENT);
      await t.client.expectError('FORBIDDEN', CREATE, { input }, a.tokens.AUDITOR);
      const order = await create(alice);
      await t.client.expectError('FORBIDDEN', STATUS, { id: order.id, status: 'CONFIRMED' }, a.tokens.AGENT);
      await t.client.expectError('FORBIDDEN', ADD, { orderId: order.id, input: item() }, a.tokens.AUDITOR);
      await t.client.data(LIST, { first: 1 }, a.tokens.AUDITOR);

      assert.equal((await t.client.data(`query ($id: ID!) { order(id: $id) { id } }`, { id: order.id }, b.tokens.TENANT_ADMIN)).order, null);
      await t.client.expectError('NOT_FOUND', STATUS, { id: order.id, status: 'CONFIRMED' }, b.tokens.MANAGER);
      await t.client.expectError('NOT_FOUND', ADD, { orderId: order.id, input: item() }, b.tokens.MANAGER);
      await t.client.expectError('NOT_FOUND', REMOVE, { id: order.items[0].id }, b.tokens.MANAGER);
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input }, b.tokens.MANAGER), 'contactId');
      assert.equal((await t.client.data(LIST, { filter: { contactId: alice } }, b.tokens.MANAGER)).orders.totalCount, 0);
    });

    test('pagination: first=5 across pages with inserts between pages', async () => {
      const tenant = await setUpTenant(t);
      const [erin] = await seedContacts(t, tenant.tenantId, [{ name: 'Erin' }]);
      await assertPaginationRoundTrip({
        create: async () => (await create(erin, [item()], tenant.tokens.MANAGER)).id,
        page: async (cursor) => (await t.client.data(LIST, { first: 5, after: cursor, filter: { contactId: erin } }, tenant.tokens.AUDITOR)).orders,
      });
    });
  });
}
