import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';

const ADD_MEMBER = `mutation ($input: AddMemberInput!) {
  addMember(input: $input) { status email role invitationToken user { id email name } invitation { id status tenant { id } } }
}`;
const ACCEPT_TOKEN = `mutation ($input: AcceptInvitationTokenInput!) { acceptInvitationToken(input: $input) { token user { id name } tenant { id } role } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { token tenant { id } } }`;
const MEMBERS = '{ members { user { id } role status } }';
const uniqueEmail = (label: string) => `${label}.${crypto.randomBytes(5).toString('hex')}@example.com`;

describe('finding 7: addMember invites; nobody joins without accepting', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  before(async () => {
    t = await startTestApp();
    a = await t.client.signUp({ name: 'Alice Admin' });
    b = await t.client.signUp({ name: 'Bob Realname' });
    // Room for everyone invited below: the free plan allows three users, pending invitations included.
    await t.app.platform.control.query(`UPDATE tenants SET plan_id = (SELECT id FROM subscription_plans WHERE code = 'pro') WHERE id = $1`, [a.tenantId]);
    t.app.platform.registry.invalidate(a.tenantId);
  });
  after(() => t.stop());

  test("finding 7: adding another tenant's user returns none of their data and leaves their login as it was", async () => {
    // The call as the finding made it (what an existing client sends): name and password given, the user selected.
    const legacy = (
      await t.client.data(
        `mutation ($input: AddMemberInput!) { addMember(input: $input) { role user { id email name } } }`,
        { input: { email: b.email.toUpperCase(), name: 'Renamed', password: 'attacker chosen words', role: 'AGENT' } },
        a.token,
      )
    ).addMember;
    assert.notEqual(legacy.user.id, b.userId, "not the account's id");
    assert.ok(!JSON.stringify(legacy).includes('Bob Realname'), 'not their name');

    // B's plain login is unaffected (one tenant, no tenantId needed), and B is not in A's team.
    const login = await t.client.data(LOGIN, { input: { email: b.email, password: b.password } });
    assert.equal(login.login.tenant.id, b.tenantId);
    await t.client.expectError('INVALID_CREDENTIALS', LOGIN, { input: { email: b.email, password: 'attacker chosen words' } });
    const team = await t.client.data(MEMBERS, {}, a.token);
    assert.ok(!team.members.some((m: { user: { id: string } }) => m.user.id === b.userId));
    assert.equal((await t.client.data('{ me { user { name } } }', {}, b.token)).me.user.name, 'Bob Realname', 'their name is theirs');

    // What A sees instead: a PENDING member with the email and role only.
    const added = (await t.client.data(ADD_MEMBER, { input: { email: b.email, role: 'AGENT' } }, a.token)).addMember;
    assert.equal(added.status, 'PENDING');
    assert.equal(added.email, b.email);
    assert.equal(added.role, 'AGENT');
    assert.equal(added.user.name, b.email);
    assert.notEqual(added.user.id, b.userId);
    assert.equal(added.invitation.status, 'PENDING');
    // The answer is the same shape for an email without an account: it tells nothing about accounts.
    const unknown = (await t.client.data(ADD_MEMBER, { input: { email: uniqueEmail('new'), role: 'AGENT' } }, a.token)).addMember;
    assert.deepEqual(Object.keys(unknown).sort(), Object.keys(added).sort());
    assert.equal(unknown.status, 'PENDING');
    // Nor can A join B by the token: for an existing account it needs B's own password.
    await t.client.expectError('INVALID_CREDENTIALS', ACCEPT_TOKEN, { input: { token: added.invitationToken, password: 'what a guess this is' } });
    const pending = await t.client.data('{ pendingMembers { email status } }', {}, a.token);
    assert.ok(pending.pendingMembers.some((m: { email: string }) => m.email === b.email), 'still pending');
    assert.equal((await t.client.data(LOGIN, { input: { email: b.email, password: b.password } })).login.tenant.id, b.tenantId);
  });

  test('finding 7: the invited user sees the invitation after logging in, and after accepting is a member', async () => {
    const invitations = (await t.client.data('{ invitations { id email role status tenant { id name } } }', {}, b.token)).invitations;
    const invitation = invitations.find((i: { tenant: { id: string } }) => i.tenant.id === a.tenantId);
    assert.ok(invitation, JSON.stringify(invitations));
    assert.equal(invitation.status, 'PENDING');
    // Nobody else can accept it.
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { acceptInvitation(id: $id) { token } }`, { id: invitation.id }, a.token);

    const accepted = await t.client.data(`mutation ($id: ID!) { acceptInvitation(id: $id) { token tenant { id } role } }`, { id: invitation.id }, b.token);
    assert.equal(accepted.acceptInvitation.tenant.id, a.tenantId);
    assert.equal(accepted.acceptInvitation.role, 'AGENT');
    const team = await t.client.data(MEMBERS, {}, a.token);
    assert.deepEqual(team.members.find((m: { user: { id: string } }) => m.user.id === b.userId), { user: { id: b.userId }, role: 'AGENT', status: 'ACTIVE' });
    const me = await t.client.data('{ me { tenant { id } role } }', {}, accepted.acceptInvitation.token);
    assert.deepEqual(me.me, { tenant: { id: a.tenantId }, role: 'AGENT' });
    assert.deepEqual((await t.client.data('{ invitations { id } }', {}, b.token)).invitations, [], 'no longer pending');
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { acceptInvitation(id: $id) { token } }`, { id: invitation.id }, b.token);    await t.client.expectError('CONFLICT', ADD_MEMBER, { input: { email: b.email, role: 'MANAGER' } }, a.token);
  });

  test('finding 7: a new email sets its own password with the invitation token', async () => {
    const email = uniqueEmail('newcomer');
    const added = (await t.client.data(ADD_MEMBER, { input: { email, role: 'MANAGER', password: 'the admin picks this' } }, a.token)).addMember;
    // The admin's password (deprecated input) is ignored: no account exists yet.
    await t.client.expectError('INVALID_CREDENTIALS', LOGIN, { input: { email, password: 'the admin picks this' } });
    await t.client.expectError('VALIDATION_FAILED', ACCEPT_TOKEN, { input: { token: added.invitationToken, password: '1234567890', name: 'Newcomer' } });
    const accepted = await t.client.data(ACCEPT_TOKEN, { input: { token: added.invitationToken, password: 'my own long secret', name: 'Newcomer' } });
    assert.equal(accepted.acceptInvitationToken.tenant.id, a.tenantId);
    assert.equal(accepted.acceptInvitationToken.role, 'MANAGER');
    const login = await t.client.data(LOGIN, { input: { email, password: 'my own long secret' } });
    assert.equal(login.login.tenant.id, a.tenantId);
    await t.client.expectError('NOT_FOUND', ACCEPT_TOKEN, { input: { token: added.invitationToken, password: 'my own long secret', name: 'Again' } });
  });

  test('finding 7: members see pending invitations; admins revoke them; invitees decline them', async () => {
    const email = uniqueEmail('revoked');
    const added = (await t.client.data(ADD_MEMBER, { input: { email, role: 'AGENT' } }, a.token)).addMember;
    const agent = await t.client.data(LOGIN, { input: { email: b.email, password: b.password, tenantId: a.tenantId } });
    const seen = await t.client.data('{ pendingMembers { email invitation { id } } }', {}, agent.login.token);
    assert.ok(seen.pendingMembers.some((m: { email: string }) => m.email === email), 'an AGENT sees pending invitations');
    await t.client.expectError('FORBIDDEN', `mutation ($id: ID!) { revokeInvitation(id: $id) }`, { id: added.invitation.id }, agent.login.token);
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { revokeInvitation(id: $id) }`, { id: added.invitation.id }, b.token);
    assert.equal((await t.client.data(`mutation ($id: ID!) { revokeInvitation(id: $id) }`, { id: added.invitation.id }, a.token)).revokeInvitation, true);
    await t.client.expectError('NOT_FOUND', ACCEPT_TOKEN, { input: { token: added.invitationToken, password: 'my own long secret', name: 'R' } });

    const other = await t.client.signUp();
    const again = (await t.client.data(ADD_MEMBER, { input: { email: other.email, role: 'AUDITOR' } }, a.token)).addMember;
    assert.equal((await t.client.data(`mutation ($id: ID!) { declineInvitation(id: $id) }`, { id: again.invitation.id }, other.token)).declineInvitation, true);
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { acceptInvitation(id: $id) { token } }`, { id: again.invitation.id }, other.token);
    assert.equal((await t.client.data(LOGIN, { input: { email: other.email, password: other.password } })).login.tenant.id, other.tenantId);
  });
});

describe('finding 8: password policy', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.stop());

  const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`;

  test('finding 8: ten spaces and 1234567890 are refused with VALIDATION_FAILED and the reason; nothing is created', async () => {
    const cases: Array<[string, RegExp]> = [
      ['          ', /only spaces|too easy|too weak/],
      ['1234567890', /too common/],
      ['short1!', /too short/],
      ['password123', /too common/],
    ];
    for (const [password, reason] of cases) {
      const error = await t.client.expectError('VALIDATION_FAILED', SIGN_UP, {
        input: { organizationName: 'Weak Co', email: uniqueEmail('weak'), password, name: 'Weak' },
      });
      const fields = (error.extensions as { details: { fields: Array<{ field: string; messages: string[] }> } }).details.fields;
      assert.equal(fields[0].field, 'password');
      assert.match(fields[0].messages[0], reason, `${JSON.stringify(password)}: ${fields[0].messages[0]}`);
    }
    const [{ n }] = await t.app.platform.control.query('SELECT count(*)::int AS n FROM tenants');
    assert.equal(n, 0, 'no organisation was created');
    const [{ users }] = await t.app.platform.control.query('SELECT count(*)::int AS users FROM users');
    assert.equal(users, 0);
  });

  test('finding 8: a password made of the email or the name is refused; a passphrase is accepted', async () => {
    const email = uniqueEmail('margaret');
    for (const password of [email, 'Margaret Thatcher']) {
      const error = await t.client.expectError('VALIDATION_FAILED', SIGN_UP, { input: { organizationName: 'Own Name', email, password, name: 'Margaret Thatcher' } });
      assert.match(JSON.stringify(error.extensions), /personal/);
    }
    assert.ok((await t.client.data(SIGN_UP, { input: { organizationName: 'Good Co', email, password: 'stapler orbit lantern', name: 'M' } })).signUp.token);
  });
});
