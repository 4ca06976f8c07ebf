import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import { inviteMember } from '../support/invite-member';
import { platformAdminToken } from '../support/platform-admin';
import { LiveSubscription, MESSAGE_RECEIVED, inboundMessage, publishUntilSeen, waitUntil } from '../support/live-subscription';
import {
  conversationUpdatedEvent,
  messageReceivedEvent,
  messageUpdatedEvent,
} from '../../src/modules/inbox/inbox-events';
import { ConversationStatus } from '../../src/modules/inbox/conversation.entity';
import { Contact } from '../../src/modules/contacts/contact.entity';
import { MessageStatus } from '../../src/modules/inbox/message.entity';
import { WhatsappProvider, WhatsappSessionStatus } from '../../src/modules/whatsapp/channels/whatsapp-session.entity';
import { whatsappSessionUpdatedEvent } from '../../src/modules/whatsapp/channels/whatsapp-session-events';
import { TokenService } from '../../src/platform/auth/token-service';
import { loadOrCreateSecret } from '../../src/platform/auth/secret-store';
import { TenantRole } from '../../src/platform/control/membership.entity';
import type { TenantEvent } from '../../src/platform/realtime/tenant-events';

type Received = { messageReceived: { id: string; conversationId: string; body: string } };

describe('subscriptions over graphql-ws', () => {
  let t: TestApp;
  const clients: Array<{ dispose(): unknown }> = [];
  const ws = (token?: string) => {
    const client = t.client.ws(token);
    clients.push(client);
    return client;
  };

  /** Tokens signed with the app's secret but another lifetime. */
  const tokensWithTtl = (ttlSeconds: number) =>
    new TokenService({
      secret: loadOrCreateSecret(t.app.config.DATA_DIR, 'jwt-secret', t.app.config.JWT_SECRET),
      issuer: t.app.config.JWT_ISSUER,
      audience: t.app.config.JWT_AUDIENCE,
      ttlSeconds,
    });

  before(async () => {
    t = await startTestApp({ WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '3', GRAPHQL_MAX_COST: '20' });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await t.stop();
  });

  test("an event reaches its own tenant's subscribers and never another tenant's", async () => {
    const [a, b] = await Promise.all([t.client.signUp(), t.client.signUp()]);
    const onA = new LiveSubscription<Received>(ws(a.token), MESSAGE_RECEIVED);
    const onB = new LiveSubscription<Received>(ws(b.token), MESSAGE_RECEIVED);
    await Promise.all([publishUntilSeen(t, a.tenantId, onA), publishUntilSeen(t, b.tenantId, onB)]);

    for (let i = 0; i < 5; i += 1) {
      await t.app.platform.events.publish(messageReceivedEvent(a.tenantId, inboundMessage({ body: `for A ${i}` })));
      await t.app.platform.events.publish(messageReceivedEvent(b.tenantId, inboundMessage({ body: `for B ${i}` })));
    }
    const bodies = (s: LiveSubscription<Received>) => s.data.map((d) => d.messageReceived.body).filter((body) => body.startsWith('for '));
    await onA.waitFor(() => bodies(onA).length === 5, "A's five events");
    await onB.waitFor(() => bodies(onB).length === 5, "B's five events");
    assert.deepEqual(bodies(onA), [0, 1, 2, 3, 4].map((i) => `for A ${i}`));
    assert.deepEqual(bodies(onB), [0, 1, 2, 3, 4].map((i) => `for B ${i}`));
    assert.deepEqual(onA.errors, []);
    assert.deepEqual(onB.errors, []);
  });

  test('messageReceived(conversationId) delivers only that conversation', async () => {
    const a = await t.client.signUp();
    const [one, two] = [crypto.randomUUID(), crypto.randomUUID()];
    const client = ws(a.token);
    const all = new LiveSubscription<Received>(client, MESSAGE_RECEIVED);
    const onlyOne = new LiveSubscription<Received>(client, MESSAGE_RECEIVED, { conversationId: one });
    await publishUntilSeen(t, a.tenantId, onlyOne, (body) => messageReceivedEvent(a.tenantId, inboundMessage({ body, conversationId: one })));
    await publishUntilSeen(t, a.tenantId, all);

    const { events } = t.app.platform;
    await events.publish(messageReceivedEvent(a.tenantId, inboundMessage({ conversationId: two, body: 'in two' })));
    await events.publish(messageReceivedEvent(a.tenantId, inboundMessage({ conversationId: one, body: 'in one' })));
    await all.waitFor(() => all.data.some((d) => d.messageReceived.body === 'in one'), 'the unfiltered subscriber to get both');
    await onlyOne.waitFor(() => onlyOne.data.some((d) => d.messageReceived.body === 'in one'), 'the filtered subscriber');
    assert.ok(all.data.some((d) => d.messageReceived.body === 'in two'));
    assert.ok(onlyOne.data.every((d) => d.messageReceived.conversationId === one), 'nothing from another conversation');
  });

  test('messageUpdated, conversationUpdated and whatsappSessionUpdated deliver their own types', async () => {
    const a = await t.client.signUp();
    const client = ws(a.token);
    const message = inboundMessage({ status: MessageStatus.READ, readAt: new Date('2026-01-02T03:04:05.678Z') });
    const conversationId = message.conversationId;
    const when = new Date('2026-01-02T03:04:05.678Z');
    const cases: Array<{ query: string; event: TenantEvent; check(data: any): void }> = [
      {
        query: 'subscription { messageUpdated { id status readAt } }',
        event: messageUpdatedEvent(a.tenantId, message),
        check: (data) => assert.deepEqual(data.messageUpdated, { id: message.id, status: 'READ', readAt: '2026-01-02T03:04:05.678Z' }),
      },
      {
        query: 'subscription { conversationUpdated { id status unreadCount lastMessageAt } }',
        event: conversationUpdatedEvent(a.tenantId, {
          id: conversationId,
          status: ConversationStatus.PENDING,
          unreadCount: 3,
          lastMessageAt: when,
          lastMessageId: message.id,
          contactId: crypto.randomUUID(),
          sessionId: null,
          assigneeUserId: null,
          createdAt: when,
          updatedAt: when,
        }),
        check: (data) =>
          assert.deepEqual(data.conversationUpdated, { id: conversationId, status: 'PENDING', unreadCount: 3, lastMessageAt: when.toISOString() }),
      },
      {
        query: 'subscription { whatsappSessionUpdated { id status qrCode provider } }',
        event: whatsappSessionUpdatedEvent(a.tenantId, {
          id: conversationId,
          provider: WhatsappProvider.WAHA,
          name: 'default',
          externalSessionId: 'default',
          status: WhatsappSessionStatus.SCAN_QR_CODE,
          engine: 'NOWEB',
          qrCode: '2@abc,def',
          phoneNumber: null,
          lastError: null,
          createdAt: when,
          updatedAt: when,
        }),
        check: (data) =>
          assert.deepEqual(data.whatsappSessionUpdated, { id: conversationId, status: 'SCAN_QR_CODE', qrCode: '2@abc,def', provider: 'WAHA' }),
      },
    ];
    const subscriptions = cases.map((c) => new LiveSubscription(client, c.query));
    // No acknowledgement of a subscription: keep publishing until each one has its event.
    await waitUntil(() => {
      cases.forEach((c, i) => subscriptions[i].data.length === 0 && void t.app.platform.events.publish(c.event));
      return subscriptions.every((s) => s.data.length > 0);
    }, 'each subscription to get its event');
    cases.forEach((c, i) => c.check(subscriptions[i].data[0]));
    for (const s of subscriptions) assert.deepEqual(s.errors, []);
    // A subscription gets only its own type: the message subscription saw no conversation.
    assert.ok(subscriptions[0].data.every((d) => d.messageUpdated.id === message.id));
  });

  test('a missing, bad or expired token is refused with 4401', async () => {
    const a = await t.client.signUp();
    const expired = tokensWithTtl(-10).signUser({ userId: a.userId, tenantId: a.tenantId, role: TenantRole.TENANT_ADMIN }).token;
    for (const [token, reason] of [
      [undefined, /Sign in/],
      ['not-a-jwt', /Invalid token/],
      [`${a.token.slice(0, -4)}AAAA`, /Invalid token/],
      [expired, /Token expired/],
    ] as const) {
      const s = new LiveSubscription(ws(token), MESSAGE_RECEIVED);
      await s.waitFor(() => s.closedWith !== null, `the socket to close for ${token}`);
      assert.equal(s.closedWith!.code, 4401);
      assert.match(s.closedWith!.reason, reason);
      assert.deepEqual(s.data, []);
    }
  });

  test("the token's expiry closes the socket", async () => {
    const a = await t.client.signUp();
    const { token, expiresAt } = tokensWithTtl(2).signUser({ userId: a.userId, tenantId: a.tenantId, role: TenantRole.AGENT });
    const s = new LiveSubscription<Received>(ws(token), MESSAGE_RECEIVED);
    await publishUntilSeen(t, a.tenantId, s);
    await s.waitFor(() => s.closedWith !== null, 'the socket to close at expiry', 5_000);
    assert.equal(s.closedWith!.code, 4401);
    assert.equal(s.closedWith!.reason, 'Token expired');
    // jsonwebtoken keeps whole seconds, so the token ends up to a second before expiresAt.
    assert.ok(Date.now() >= expiresAt.getTime() - 1_100, 'not closed before the token expired');
  });

  test('the cost and document limits apply on WebSocket, with the codes HTTP gives', async () => {
    const a = await t.client.signUp();
    const client = ws(a.token);
    const aliases = (count: number) => Array.from({ length: count }, (_, i) => `f${i}: id`).join(' ');
    // 25 fields cost more than this app's GRAPHQL_MAX_COST (20).
    const tooCostly = new LiveSubscription(client, `subscription { messageReceived { ${aliases(25)} } }`);
    await tooCostly.waitFor(() => tooCostly.errors.length > 0, 'the cost error');
    assert.equal(tooCostly.errors[0].extensions?.code, 'QUERY_TOO_COMPLEX');
    assert.deepEqual(tooCostly.data, []);

    const tooLong = new LiveSubscription(client, `subscription { messageReceived { ${aliases(2_000)} } }`);
    await tooLong.waitFor(() => tooLong.errors.length > 0, 'the token limit error');
    assert.equal(tooLong.errors[0].extensions?.code, 'GRAPHQL_PARSE_FAILED');

    const unknownField = new LiveSubscription(client, 'subscription { messageReceived { nope } }');
    await unknownField.waitFor(() => unknownField.errors.length > 0, 'the validation error');
    assert.equal(unknownField.errors[0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(unknownField.errors[0].message, /nope/);

    // Role checks run on WebSocket too: an operator is not a member of any tenant.
    const operator = await platformAdminToken(t);
    const asOperator = new LiveSubscription(ws(operator), MESSAGE_RECEIVED);
    await asOperator.waitFor(() => asOperator.errors.length > 0, 'the role error');
    assert.equal(asOperator.errors[0].extensions?.code, 'FORBIDDEN');
  });

  test('depth limit applies on WebSocket', async (ctx) => {
    // The schema needs a path deeper than GRAPHQL_MAX_DEPTH (10); relation fields bring one.
    const { data } = await t.client.request('{ __type(name: "Conversation") { fields { name } } }');
    const fields = (data?.__type?.fields ?? []).map((f: { name: string }) => f.name);
    if (!fields.includes('contact') || !fields.includes('lastMessage')) {
      ctx.skip('needs Conversation.contact / lastMessage (crm-core field resolvers)');
      return;
    }
    const a = await t.client.signUp();
    let selection = 'id';
    for (let i = 0; i < 6; i += 1) selection = `lastMessage { conversation { ${selection} } }`;
    const deep = new LiveSubscription(ws(a.token), `subscription { conversationUpdated { ${selection} } }`);
    await deep.waitFor(() => deep.errors.length > 0, 'the depth error');
    assert.equal(deep.errors[0].extensions?.code, 'QUERY_TOO_COMPLEX');
  });

  test('relation fields load per event with a fresh context whose tenant connection is released', async (ctx) => {
    const { data } = await t.client.request('{ __type(name: "Conversation") { fields { name } } }');
    if (!(data?.__type?.fields ?? []).some((f: { name: string }) => f.name === 'contact')) {
      ctx.skip('needs the Conversation.contact field resolver (crm-core)');
      return;
    }
    const a = await t.client.signUp();
    const { router, events } = t.app.platform;
    const names = ['First name', 'Renamed'];
    const contact = await router.withTenant(a.tenantId, (manager) =>
      manager.getRepository(Contact).save({ name: names[0], phone: '15550001111' }),
    );
    const when = new Date();
    const event = (id = crypto.randomUUID()) =>
      conversationUpdatedEvent(a.tenantId, {
        id,
        status: ConversationStatus.OPEN,
        unreadCount: 1,
        lastMessageAt: when,
        lastMessageId: null,
        contactId: contact.id,
        sessionId: null,
        assigneeUserId: null,
        createdAt: when,
        updatedAt: when,
      });
    const s = new LiveSubscription<{ conversationUpdated: { id: string; contact: { name: string } } }>(
      ws(a.token),
      'subscription { conversationUpdated { id contact { id name } } }',
    );
    await waitUntil(() => {
      if (s.data.length === 0) void events.publish(event());
      return s.data.length > 0;
    }, 'the first event');
    assert.equal(s.data[0].conversationUpdated.contact.name, names[0]);
    // A DataLoader kept across events would serve the old name again.
    await router.withTenant(a.tenantId, (manager) => manager.getRepository(Contact).update(contact.id, { name: names[1] }));
    const after = crypto.randomUUID();
    await events.publish(event(after));
    const second = () => s.data.find((d) => d.conversationUpdated.id === after);
    await s.waitFor(() => second() !== undefined, 'the event after the rename');
    assert.equal(second()!.conversationUpdated.contact.name, names[1]);
    assert.deepEqual(s.errors, []);
    await waitUntil(() => router.figures().activeLeases === 0, 'no tenant connection held between events');
  });

  test('one socket may hold only WS_MAX_SUBSCRIPTIONS_PER_SOCKET operations', async () => {
    const a = await t.client.signUp();
    const client = ws(a.token);
    const held = [0, 1, 2].map(() => new LiveSubscription<Received>(client, MESSAGE_RECEIVED));
    await publishUntilSeen(t, a.tenantId, held[2]);
    const fourth = new LiveSubscription(client, MESSAGE_RECEIVED);
    await fourth.waitFor(() => fourth.errors.length > 0, 'the fourth to be refused');
    assert.equal(fourth.errors[0].extensions?.code, 'TOO_MANY_SUBSCRIPTIONS');
    // Ending one frees a place.
    const live = t.app.platform.events.subscriberCount;
    held[0].dispose();
    await waitUntil(() => t.app.platform.events.subscriberCount === live - 1, 'the ended subscription to be gone');
    const again = new LiveSubscription<Received>(client, MESSAGE_RECEIVED);
    await publishUntilSeen(t, a.tenantId, again);
    assert.deepEqual(again.errors, []);
  });

  test("a suspended tenant's subscriptions end with TENANT_NOT_ACTIVE, and new ones are refused", async () => {
    const [a, b] = await Promise.all([t.client.signUp(), t.client.signUp()]);
    const onA = new LiveSubscription<Received>(ws(a.token), MESSAGE_RECEIVED);
    const onB = new LiveSubscription<Received>(ws(b.token), MESSAGE_RECEIVED);
    await Promise.all([publishUntilSeen(t, a.tenantId, onA), publishUntilSeen(t, b.tenantId, onB)]);
    const before = onA.data.length;

    // What suspendTenant does; another instance notices within TENANT_CACHE_TTL_MS.
    await t.app.platform.control.query(`UPDATE tenants SET status = 'SUSPENDED' WHERE id = $1`, [a.tenantId]);
    t.app.platform.registry.invalidate(a.tenantId);

    await t.app.platform.events.publish(messageReceivedEvent(a.tenantId, inboundMessage({ body: 'after suspension' })));
    await onA.waitFor(() => onA.errors.length > 0 && onA.completed, 'the suspended subscription to end');
    assert.equal(onA.errors[0].extensions?.code, 'TENANT_NOT_ACTIVE');
    assert.equal(onA.data.length, before, 'nothing delivered after suspension');

    // A suspended tenant's token no longer opens a socket at all (4403, not the 4401 of bad credentials).
    const refused = new LiveSubscription(ws(a.token), MESSAGE_RECEIVED);
    await refused.waitFor(() => refused.closedWith !== null, 'a new subscription to be refused');
    assert.equal(refused.closedWith?.code, 4403);
    assert.deepEqual(refused.data, []);

    // The other tenant is unaffected.
    await publishUntilSeen(t, b.tenantId, onB);
    assert.deepEqual(onB.errors, []);
  });

  test("a member removed from the tenant loses their live subscriptions at the next event; the others keep theirs", async () => {
    const owner = await t.client.signUp();
    const address = `agent.${crypto.randomUUID()}@example.com`;
    const invited = await inviteMember(t.client, owner.token, { email: address, name: 'Agent', password: 'agent password 1', role: 'AGENT' });
    const login = await t.client.data(`mutation ($input: LoginInput!) { login(input: $input) { token } }`, {
      input: { email: address, password: 'agent password 1' },
    });
    const agent = new LiveSubscription<Received>(ws(login.login.token), MESSAGE_RECEIVED);
    const ownerSub = new LiveSubscription<Received>(ws(owner.token), MESSAGE_RECEIVED);
    await Promise.all([publishUntilSeen(t, owner.tenantId, agent), publishUntilSeen(t, owner.tenantId, ownerSub)]);
    const before = agent.data.length;

    await t.client.data(`mutation ($userId: ID!) { removeMember(userId: $userId) }`, { userId: invited.userId }, owner.token);
    await t.app.platform.events.publish(messageReceivedEvent(owner.tenantId, inboundMessage({ body: 'after removal' })));
    // The removal closes the member's socket at once (4401); were it missed, the next event would end the subscription.
    await agent.waitFor(() => agent.completed, "the removed member's subscription to end");
    assert.ok(agent.closedWith?.code === 4401 || agent.errors[0]?.extensions?.code === 'UNAUTHENTICATED', JSON.stringify({ closed: agent.closedWith, errors: agent.errors }));
    assert.equal(agent.data.length, before, 'nothing delivered after the removal');
    await ownerSub.waitFor(() => ownerSub.data.some((d) => d.messageReceived.body === 'after removal'), 'the owner to get the event');
    assert.deepEqual(ownerSub.errors, []);
  });

  test('closing subscriptions and sockets lets go of the bus', async () => {
    const a = await t.client.signUp();
    const client = t.client.ws(a.token);
    const baseline = t.app.platform.events.subscriberCount;
    const subs = [0, 1].map(() => new LiveSubscription<Received>(client, MESSAGE_RECEIVED));
    await Promise.all(subs.map((s) => publishUntilSeen(t, a.tenantId, s)));
    assert.equal(t.app.platform.events.subscriberCount, baseline + 2);
    subs[0].dispose();
    await waitUntil(() => t.app.platform.events.subscriberCount === baseline + 1, 'a completed subscription to unsubscribe');
    await client.dispose();
    await waitUntil(() => t.app.platform.events.subscriberCount === baseline, 'a closed socket to unsubscribe');
  });
});
