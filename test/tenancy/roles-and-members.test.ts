import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { inviteMember } from '../support/invite-member';

const ADD_MEMBER = `mutation ($input: AddMemberInput!) { addMember(input: $input) { user { id email } role } }`;
const CHANGE_ROLE = `mutation ($userId: ID!, $role: TenantRole!) { changeMemberRole(userId: $userId, role: $role) { role } }`;
const REMOVE = `mutation ($userId: ID!) { removeMember(userId: $userId) }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { token role tenant { id } } }`;
const PASSWORD = 'member password 1';

let counter = 0;
const email = (role: string) => `${role.toLowerCase()}.${Date.now()}.${counter++}@example.com`;

describe('roles, members, plan limits and API keys', () => {
  let t: TestApp;
  let owner: SignedUp;
  const members: Record<string, { id: string; email: string; token: string }> = {};
  before(async () => {
    t = await startTestApp();
    owner = await t.client.signUp();
    // Room for four people: the free plan allows three.
    await t.app.platform.control.query(`UPDATE tenants SET plan_id = (SELECT id FROM subscription_plans WHERE code = 'pro') WHERE id = $1`, [owner.tenantId]);
    t.app.platform.registry.invalidate(owner.tenantId);
    for (const role of ['MANAGER', 'AGENT', 'AUDITOR']) {
      const address = email(role);
      const added = await inviteMember(t.client, owner.token, { email: address, name: role, password: PASSWORD, role });
      const login = await t.client.data(LOGIN, { input: { email: address, password: PASSWORD } });
      assert.equal(login.login.role, role);
      members[role] = { id: added.userId, email: address, token: login.login.token };
    }
  });
  after(() => t.stop());

  test('AUDITOR, AGENT and MANAGER are FORBIDDEN to add members or change roles', async () => {
    for (const role of ['AUDITOR', 'AGENT', 'MANAGER']) {
      const { token } = members[role];
      await t.client.expectError('FORBIDDEN', ADD_MEMBER, { input: { email: email('x'), name: 'X', password: PASSWORD, role: 'AGENT' } }, token);
      await t.client.expectError('FORBIDDEN', CHANGE_ROLE, { userId: members.AGENT.id, role: 'TENANT_ADMIN' }, token);
      await t.client.expectError('FORBIDDEN', REMOVE, { userId: owner.userId }, token);
      await t.client.expectError('FORBIDDEN', '{ apiKeys { id } }', {}, token);
      // Everyone in the tenant may see the team.
      const team = await t.client.data('{ members { role } }', {}, token);
      assert.equal(team.members.length, 4);
    }
    const roles = await t.client.data('{ members { user { id } role } }', {}, owner.token);
    assert.equal(roles.members.find((m: { user: { id: string } }) => m.user.id === members.AGENT.id).role, 'AGENT', 'unchanged');
  });

  test('TENANT_ADMIN changes roles but never removes or demotes the last admin', async () => {
    const changed = await t.client.data(CHANGE_ROLE, { userId: members.AUDITOR.id, role: 'MANAGER' }, owner.token);
    assert.equal(changed.changeMemberRole.role, 'MANAGER');
    await t.client.data(CHANGE_ROLE, { userId: members.AUDITOR.id, role: 'AUDITOR' }, owner.token);

    await t.client.expectError('CONFLICT', CHANGE_ROLE, { userId: owner.userId, role: 'AGENT' }, owner.token);
    await t.client.expectError('CONFLICT', REMOVE, { userId: owner.userId }, owner.token);

    // With a second admin the first may step down.
    await t.client.data(CHANGE_ROLE, { userId: members.MANAGER.id, role: 'TENANT_ADMIN' }, owner.token);
    const down = await t.client.data(CHANGE_ROLE, { userId: owner.userId, role: 'MANAGER' }, owner.token);
    assert.equal(down.changeMemberRole.role, 'MANAGER');
    const managerAdmin = (await t.client.data(LOGIN, { input: { email: members.MANAGER.email, password: PASSWORD } })).login.token;
    await t.client.data(CHANGE_ROLE, { userId: owner.userId, role: 'TENANT_ADMIN' }, managerAdmin);
    await t.client.data(CHANGE_ROLE, { userId: members.MANAGER.id, role: 'MANAGER' }, managerAdmin);
  });

  test('the plan limit on users gives PLAN_LIMIT_REACHED', async () => {
    const free = await t.client.signUp();
    await inviteMember(t.client, free.token, { email: email('agent'), role: 'AGENT', password: PASSWORD });
    // A pending invitation holds its place too, so accepting it cannot overshoot the plan.
    await t.client.data(ADD_MEMBER, { input: { email: email('auditor'), role: 'AUDITOR' } }, free.token);
    const error = await t.client.expectError(
      'PLAN_LIMIT_REACHED',
      ADD_MEMBER,
      { input: { email: email('fourth'), name: 'Fourth', password: PASSWORD, role: 'AGENT' } },
      free.token,
    );
    assert.deepEqual((error.extensions as { details: unknown }).details, { limit: 3 });
    const team = await t.client.data('{ members { role } pendingMembers { role status } }', {}, free.token);
    assert.equal(team.members.length, 2);
    assert.deepEqual(team.pendingMembers, [{ role: 'AUDITOR', status: 'PENDING' }]);
  });

  test('a user in two tenants must pass tenantId at login', async () => {
    const first = await t.client.signUp();
    const second = await t.client.signUp({ email: first.email, password: first.password });
    assert.notEqual(first.tenantId, second.tenantId);
    assert.equal(second.userId, first.userId, 'one global identity');
    const ambiguous = await t.client.expectError('VALIDATION_FAILED', LOGIN, { input: { email: first.email, password: first.password } });
    const choices = (ambiguous.extensions as { details: { tenants: Array<{ id: string }> } }).details.tenants.map((tenant) => tenant.id).sort();
    assert.deepEqual(choices, [first.tenantId, second.tenantId].sort());
    for (const tenantId of [first.tenantId, second.tenantId]) {
      const login = await t.client.data(LOGIN, { input: { email: first.email, password: first.password, tenantId } });
      assert.equal(login.login.tenant.id, tenantId);
      const me = await t.client.data('{ me { tenant { id } } }', {}, login.login.token);
      assert.equal(me.me.tenant.id, tenantId);
    }
    await t.client.expectError('FORBIDDEN', LOGIN, { input: { email: first.email, password: first.password, tenantId: owner.tenantId } });
    await t.client.expectError('INVALID_CREDENTIALS', LOGIN, { input: { email: first.email, password: 'wrong password!!' } });
    // Joining another organisation with someone else's email needs that account's password.
    await t.client.expectError('CONFLICT', `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`, {
      input: { organizationName: 'Hijack', email: first.email, password: 'not their password', name: 'X' },
    });
  });

  test('an API key acts in its tenant with its role; a revoked key is refused', async () => {
    const created = await t.client.data(
      `mutation { createApiKey(name: "partner", role: AUDITOR) { secret apiKey { id role } } }`,
      {},
      owner.token,
    );
    const { secret, apiKey } = created.createApiKey;
    assert.match(secret, /^crm_/);
    const team = await t.client.data('{ members { user { id } } }', {}, secret);
    assert.equal(team.members.length, 4);
    await t.client.expectError('FORBIDDEN', ADD_MEMBER, { input: { email: email('k'), name: 'K', password: PASSWORD, role: 'AGENT' } }, secret);
    const [stored] = await t.app.platform.control.query('SELECT key_hash FROM api_keys WHERE id = $1', [apiKey.id]);
    assert.notEqual(stored.key_hash, secret, 'only a hash is stored');

    await t.client.data(`mutation ($id: ID!) { revokeApiKey(id: $id) }`, { id: apiKey.id }, owner.token);
    const refused = await t.client.request('{ members { user { id } } }', {}, secret);
    assert.equal(refused.status, 401);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    const made = await t.client.request('{ members { user { id } } }', {}, `${secret.slice(0, -2)}xx`);
    assert.equal(made.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  test("a role change applies to the member's token at once, and a removed member's token is refused", async () => {
    const org = await t.client.signUp();
    const address = email('agent');
    const { userId } = await inviteMember(t.client, org.token, { email: address, name: 'Agent', password: PASSWORD, role: 'AGENT' });
    const token = (await t.client.data(LOGIN, { input: { email: address, password: PASSWORD } })).login.token;
    await t.client.expectError('FORBIDDEN', '{ apiKeys { id } }', {}, token);

    await t.client.data(CHANGE_ROLE, { userId, role: 'TENANT_ADMIN' }, org.token);
    assert.deepEqual((await t.client.data('{ apiKeys { id } }', {}, token)).apiKeys, [], 'promoted: the same token reads admin data');
    await t.client.data(CHANGE_ROLE, { userId, role: 'AUDITOR' }, org.token);
    await t.client.expectError('FORBIDDEN', '{ apiKeys { id } }', {}, token);
    await t.client.expectError('FORBIDDEN', `mutation { createContact(input: { name: "X", phone: "+44 7911 123456" }) { id } }`, {}, token);

    await t.client.data(REMOVE, { userId }, org.token);
    const refused = await t.client.request('{ members { role } }', {}, token);
    assert.equal(refused.status, 401);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal((await t.client.data('{ members { role } }', {}, org.token)).members.length, 1, 'the owner is unaffected');
  });
});
