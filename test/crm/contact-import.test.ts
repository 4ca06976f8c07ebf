import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { setPlanLimits, uniquePhone } from '../support/crm-fixtures';

const IMPORT = `mutation ($csv: String!) { importContacts(csv: $csv) { imported failed errors { line problem message phone } } }`;
const COUNT = `{ contacts(first: 1) { totalCount } }`;

describe('contact CSV import', () => {
  let t: TestApp;
  let owner: SignedUp;
  before(async () => {
    t = await startTestApp();
    owner = await t.client.signUp();
    await setPlanLimits(t, owner.tenantId);
  });
  after(() => t.stop());

  test('valid rows are imported; each bad row is reported with its line and problem', async () => {
    const [existingTyped] = uniquePhone();
    await t.client.data(`mutation ($p: String!) { createContact(input: { name: "Already here", phone: $p }) { id } }`, { p: existingTyped }, owner.token);
    const [a, aStored] = uniquePhone();
    const [b] = uniquePhone();
    const [c] = uniquePhone();
    const [d] = uniquePhone();
    const csv = [
      'Name, Phone ,EMAIL', // 1: header, any case and spacing
      `Alice,${a},alice@example.com`, // 2 ok
      `,${b},`, // 3 missing name
      'Bob,12345,', // 4 bad phone
      `"Carol, Jr.",${c},not-an-email`, // 5 bad email
      `Alice twin,00${aStored},`, // 6 duplicate of line 2, written differently
      `Dave,${existingTyped},`, // 7 already exists
      '', // 8 blank, skipped
      `"Eve ""the quoted""",${d},EVE@EXAMPLE.COM`, // 9 ok
      `Frank,,`, // 10 missing phone
      `"Multi`, // 11-12: a quoted name over two lines, ok
      `line",${uniquePhone()[0]}`,
      `Zed,+999 1234,`, // 13 bad phone
    ].join('\r\n');
    const { importContacts: result } = await t.client.data(IMPORT, { csv }, owner.token);
    assert.equal(result.imported, 3);
    assert.equal(result.failed, 7);
    assert.deepEqual(
      result.errors.map((e: { line: number; problem: string }) => [e.line, e.problem]),
      [
        [3, 'MISSING_NAME'],
        [4, 'INVALID_PHONE'],
        [5, 'INVALID_EMAIL'],
        [6, 'DUPLICATE_IN_FILE'],
        [7, 'ALREADY_EXISTS'],
        [10, 'MISSING_PHONE'],
        [13, 'INVALID_PHONE'],
      ],
    );
    assert.match(result.errors[3].message, /line 2/);
    const { contacts } = await t.client.data(`query ($s: String) { contacts(first: 10, filter: { search: $s }) { edges { node { name phone email } } } }`, { s: 'eve' }, owner.token);
    assert.deepEqual(contacts.edges.map((e: { node: unknown }) => e.node), [{ name: 'Eve "the quoted"', phone: d.replace(/\D/g, ''), email: 'eve@example.com' }]);

    // The same file again: everything valid now already exists, nothing is added.
    const again = (await t.client.data(IMPORT, { csv }, owner.token)).importContacts;
    assert.equal(again.imported, 0);
    assert.equal(again.errors.filter((e: { problem: string }) => e.problem === 'ALREADY_EXISTS').length, 4);
  });

  test('a file that is not usable fails as a whole with VALIDATION_FAILED', async () => {
    const before = (await t.client.data(COUNT, {}, owner.token)).contacts.totalCount;
    await t.client.expectError('VALIDATION_FAILED', IMPORT, { csv: '' }, owner.token);
    const header = await t.client.expectError('VALIDATION_FAILED', IMPORT, { csv: `Alice,${uniquePhone()[0]}\n` }, owner.token);
    assert.match(header.message, /header/);
    await t.client.expectError('VALIDATION_FAILED', IMPORT, { csv: `name,phone\n"Alice,${uniquePhone()[0]}\n` }, owner.token);
    const big = `name,phone\n${'x'.repeat(2 * 1024 * 1024)}`;
    const tooBig = await t.client.expectError('VALIDATION_FAILED', IMPORT, { csv: big }, owner.token);
    assert.match(tooBig.message, /larger than/);
    assert.equal((await t.client.data(COUNT, {}, owner.token)).contacts.totalCount, before);
  });

  test('plan limit: an import that would pass maxContacts writes nothing; one that fits goes through', async () => {
    const tenant = await t.client.signUp();
    await setPlanLimits(t, tenant.tenantId, { maxContacts: 4 });
    await t.client.data(`mutation ($p: String!) { createContact(input: { name: "First", phone: $p }) { id } }`, { p: uniquePhone()[0] }, tenant.token);
    const rows = (n: number) => ['name,phone', ...Array.from({ length: n }, (_, i) => `Row ${i},${uniquePhone()[0]}`)].join('\n');
    const refused = await t.client.expectError('PLAN_LIMIT_REACHED', IMPORT, { csv: rows(4) }, tenant.token);
    assert.deepEqual(refused.extensions?.details, { limit: 4, current: 1, adding: 4 });
    assert.equal((await t.client.data(COUNT, {}, tenant.token)).contacts.totalCount, 1, 'nothing half-written');
    const ok = (await t.client.data(IMPORT, { csv: rows(3) }, tenant.token)).importContacts;
    assert.equal(ok.imported, 3);
    assert.equal((await t.client.data(COUNT, {}, tenant.token)).contacts.totalCount, 4);
  });
});
