import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client as WsClient } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { setPlanLimits, uniquePhone } from '../support/crm-fixtures';
import { LiveSubscription } from '../support/live-subscription';
import { CONNECT, SEND, SIMULATE, eventually, tenantQuery } from '../whatsapp/whatsapp-test-kit';

/**
 * The promise of the event log: every mutation that changes something a person or a partner
 * could care about records its domain event, and the live subscriptions push what they cover to
 * the same tenant's subscribers and to nobody else. Each mutation of the schema is either run
 * here (RECIPES) or listed with the reason it records nothing (RECORDS_NOTHING): a new mutation
 * that is in neither fails the first test.
 */

/** Mutations that change no tenant data of the audited kinds, and why. */
const RECORDS_NOTHING: Record<string, string> = {
  login: 'signs in; changes nothing',
  platformLogin: 'signs an operator in; changes nothing',
  signUp: 'creates the organisation itself; its log starts empty',
  createSignUpInvitation: 'a platform operation before any organisation exists (the platform audit trail, not a tenant log)',
  suspendTenant: 'a platform operation on the whole tenant (the platform audit trail, not the tenant log)',
  reactivateTenant: 'a platform operation on the whole tenant (the platform audit trail, not the tenant log)',
  retryTenantProvisioning: 'a platform operation on the whole tenant (the platform audit trail, not the tenant log)',
};

const LIVE = {
  messageReceived: 'subscription { messageReceived { id conversationId body } }',
  messageUpdated: 'subscription { messageUpdated { id status } }',
  conversationUpdated: 'subscription { conversationUpdated { id status unreadCount assignee { id } } }',
  whatsappSessionUpdated: 'subscription { whatsappSessionUpdated { id status } }',
  campaignUpdated: 'subscription { campaignUpdated { id status stats { sent } } }',
} as const;
type LiveName = keyof typeof LIVE;

interface Scenario {
  t: TestApp;
  owner: SignedUp;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Ids made by earlier recipes (the list runs in order). */
  ids: Record<string, string>;
}

interface Recipe {
  /** The event types the mutation must record (each at least once). */
  records: string[];
  /** Live subscriptions that must push the change to the tenant's subscribers. */
  pushes?: LiveName[];
  /** Who the first event names, when not the caller (a function: from ids made meanwhile). */
  actor?: [kind: string, id: string | null] | ((s: Scenario) => [kind: string, id: string | null]);
  run(s: Scenario): Promise<unknown>;
}

const INVITE = 'mutation ($i: AddMemberInput!) { addMember(input: $i) { invitationToken invitation { id } } }';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');

/** In order: later recipes use what earlier ones made. */
const RECIPES: Array<[mutation: string, recipe: Recipe]> = [
  ['connectWhatsApp', {
    records: ['whatsapp_session.status_changed'],
    pushes: ['whatsappSessionUpdated'],
    run: async (s) => (s.ids.session = (await s.gql(CONNECT, { input: { provider: 'SANDBOX', name: 'Promise line' } })).connectWhatsApp.id),
  }],
  ['simulateInboundMessage', {
    records: ['contact.created', 'message.received'],
    actor: ['PROVIDER', 'SANDBOX'],
    pushes: ['messageReceived', 'conversationUpdated'],
    run: async (s) => {
      const message = (await s.gql(SIMULATE, { input: { sessionId: s.ids.session, from: uniquePhone()[0], fromName: 'Eve', body: 'hello?' } }))
        .simulateInboundMessage;
      s.ids.conversation = message.conversationId;
      s.ids.inboundMessage = message.id;
    },
  }],
  ['markConversationRead', {
    records: ['conversation.read'],
    pushes: ['conversationUpdated'],
    run: (s) => s.gql('mutation ($id: ID!) { markConversationRead(id: $id) { id } }', { id: s.ids.conversation }),
  }],
  ['sendMessage', {
    // The simulated acks follow: SENT, DELIVERED, READ.
    records: ['message.sent', 'message.status_changed'],
    pushes: ['messageUpdated', 'conversationUpdated'],
    run: async (s) => (s.ids.sent = (await s.gql(SEND, { input: { conversationId: s.ids.conversation, body: 'hi Eve' } })).sendMessage.id),
  }],
  ['assignConversation', {
    records: ['conversation.assigned'],
    pushes: ['conversationUpdated'],
    run: (s) => s.gql('mutation ($id: ID!, $u: ID) { assignConversation(id: $id, userId: $u) { id } }', { id: s.ids.conversation, u: s.owner.userId }),
  }],
  ['closeConversation', {
    records: ['conversation.closed'],
    pushes: ['conversationUpdated'],
    run: (s) => s.gql('mutation ($id: ID!) { closeConversation(id: $id) { id } }', { id: s.ids.conversation }),
  }],
  ['reopenConversation', {
    records: ['conversation.reopened'],
    pushes: ['conversationUpdated'],
    run: (s) => s.gql('mutation ($id: ID!) { reopenConversation(id: $id) { id } }', { id: s.ids.conversation }),
  }],
  ['createContact', {
    records: ['contact.created'],
    run: async (s) => (s.ids.contact = (await s.gql('mutation ($i: CreateContactInput!) { createContact(input: $i) { id } }', { i: { name: 'Zoe', phone: uniquePhone()[0] } })).createContact.id),
  }],
  ['updateContact', {
    records: ['contact.updated'],
    run: (s) => s.gql('mutation ($id: ID!) { updateContact(id: $id, input: { name: "Zoe Q" }) { id } }', { id: s.ids.contact }),
  }],
  ['optOutContact', {
    records: ['contact.opted_out'],
    run: (s) => s.gql('mutation ($id: ID!) { optOutContact(contactId: $id) { id optedOut } }', { id: s.ids.contact }),
  }],
  ['optInContact', {
    records: ['contact.opted_in'],
    run: (s) => s.gql('mutation ($id: ID!) { optInContact(contactId: $id) { id optedOut } }', { id: s.ids.contact }),
  }],
  ['importContacts', {
    records: ['contact.created'],
    run: (s) => s.gql('mutation ($csv: String!) { importContacts(csv: $csv) { imported } }', { csv: `name,phone\nIvy,${uniquePhone()[0]}\n` }),
  }],
  ['createLabel', {
    records: ['label.created'],
    run: async (s) => (s.ids.label = (await s.gql('mutation { createLabel(input: { name: "VIP" }) { id } }')).createLabel.id),
  }],
  ['updateLabel', {
    records: ['label.updated'],
    run: (s) => s.gql('mutation ($id: ID!) { updateLabel(id: $id, input: { color: "#ff0000" }) { id } }', { id: s.ids.label }),
  }],
  ['labelContact', {
    records: ['contact.labeled'],
    run: (s) => s.gql('mutation ($c: ID!, $l: ID!) { labelContact(contactId: $c, labelId: $l) { id } }', { c: s.ids.contact, l: s.ids.label }),
  }],
  ['unlabelContact', {
    records: ['contact.unlabeled'],
    run: (s) => s.gql('mutation ($c: ID!, $l: ID!) { unlabelContact(contactId: $c, labelId: $l) { id } }', { c: s.ids.contact, l: s.ids.label }),
  }],
  ['labelConversation', {
    records: ['conversation.labeled'],
    run: (s) => s.gql('mutation ($c: ID!, $l: ID!) { labelConversation(conversationId: $c, labelId: $l) { id } }', { c: s.ids.conversation, l: s.ids.label }),
  }],
  ['unlabelConversation', {
    records: ['conversation.unlabeled'],
    run: (s) => s.gql('mutation ($c: ID!, $l: ID!) { unlabelConversation(conversationId: $c, labelId: $l) { id } }', { c: s.ids.conversation, l: s.ids.label }),
  }],
  ['createContactGroup', {
    records: ['contact_group.created'],
    run: async (s) => (s.ids.group = (await s.gql('mutation { createContactGroup(input: { name: "Regulars" }) { id } }')).createContactGroup.id),
  }],
  ['updateContactGroup', {
    records: ['contact_group.updated'],
    run: (s) => s.gql('mutation ($id: ID!) { updateContactGroup(id: $id, input: { description: "weekly" }) { id } }', { id: s.ids.group }),
  }],
  ['addContactsToGroup', {
    records: ['contact_group.contacts_added'],
    run: (s) => s.gql('mutation ($g: ID!, $c: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $c) { id } }', { g: s.ids.group, c: [s.ids.contact] }),
  }],
  ['removeContactsFromGroup', {
    records: ['contact_group.contacts_removed'],
    run: (s) => s.gql('mutation ($g: ID!, $c: [ID!]!) { removeContactsFromGroup(groupId: $g, contactIds: $c) { id } }', { g: s.ids.group, c: [s.ids.contact] }),
  }],
  ['createOrder', {
    records: ['order.created'],
    run: async (s) =>
      (s.ids.order = (
        await s.gql('mutation ($c: ID!) { createOrder(input: { contactId: $c, currency: "EUR", items: [{ productName: "Mug", quantity: 2, unitPriceCents: 1250 }] }) { id items { id } } }', {
          c: s.ids.contact,
        })
      ).createOrder.id),
  }],
  ['addOrderItem', {
    records: ['order.items_changed'],
    run: async (s) =>
      (s.ids.orderItem = (
        await s.gql('mutation ($o: ID!) { addOrderItem(orderId: $o, input: { productName: "Tea", quantity: 1, unitPriceCents: 400 }) { items { id productName } } }', { o: s.ids.order })
      ).addOrderItem.items.find((item: { productName: string }) => item.productName === 'Tea').id),
  }],
  ['removeOrderItem', {
    records: ['order.items_changed'],
    run: (s) => s.gql('mutation ($id: ID!) { removeOrderItem(id: $id) { id } }', { id: s.ids.orderItem }),
  }],
  ['updateOrderStatus', {
    records: ['order.status_changed'],
    run: (s) => s.gql('mutation ($id: ID!) { updateOrderStatus(id: $id, status: CONFIRMED) { id } }', { id: s.ids.order }),
  }],
  ['uploadDocument', {
    records: ['document.created'],
    run: async (s) =>
      (s.ids.document = (await s.gql('mutation ($i: UploadDocumentInput!) { uploadDocument(input: $i) { id } }', { i: { filename: 'dot.png', contentType: 'image/png', contentBase64: PNG } }))
        .uploadDocument.id),
  }],
  ['createQuickReply', {
    records: ['quick_reply.created'],
    run: async (s) => (s.ids.quickReply = (await s.gql('mutation { createQuickReply(input: { shortcut: "hours", title: "Hours", body: "9-5" }) { id } }')).createQuickReply.id),
  }],
  ['updateQuickReply', {
    records: ['quick_reply.updated'],
    run: (s) => s.gql('mutation ($id: ID!) { updateQuickReply(id: $id, input: { body: "9-6" }) { id } }', { id: s.ids.quickReply }),
  }],
  ['deleteQuickReply', {
    records: ['quick_reply.deleted'],
    run: (s) => s.gql('mutation ($id: ID!) { deleteQuickReply(id: $id) }', { id: s.ids.quickReply }),
  }],
  ['createAutoReplyRule', {
    records: ['auto_reply_rule.created'],
    run: async (s) =>
      (s.ids.rule = (await s.gql('mutation { createAutoReplyRule(input: { name: "Price", trigger: KEYWORD, pattern: "price", replyBody: "See our site" }) { id } }'))
        .createAutoReplyRule.id),
  }],
  ['updateAutoReplyRule', {
    records: ['auto_reply_rule.updated'],
    run: (s) => s.gql('mutation ($id: ID!) { updateAutoReplyRule(id: $id, input: { isActive: false }) { id } }', { id: s.ids.rule }),
  }],
  ['deleteAutoReplyRule', {
    records: ['auto_reply_rule.deleted'],
    run: (s) => s.gql('mutation ($id: ID!) { deleteAutoReplyRule(id: $id) }', { id: s.ids.rule }),
  }],
  ['createCampaign', {
    records: ['campaign.created'],
    run: async (s) => (s.ids.campaign = (await s.gql('mutation { createCampaign(input: { name: "Spring", messages: [{ body: "Hi!" }] }) { id } }')).createCampaign.id),
  }],
  ['updateCampaign', {
    records: ['campaign.updated'],
    run: (s) => s.gql('mutation ($id: ID!) { updateCampaign(id: $id, input: { name: "Spring sale" }) { id } }', { id: s.ids.campaign }),
  }],
  ['setCampaignRecipients', {
    records: ['campaign.recipients_set'],
    run: (s) => s.gql('mutation ($id: ID!, $c: [ID!]!) { setCampaignRecipients(campaignId: $id, input: { contactIds: $c }) { id } }', { id: s.ids.campaign, c: [s.ids.contact] }),
  }],
  ['scheduleCampaign', {
    records: ['campaign.scheduled'],
    run: (s) =>
      s.gql('mutation ($id: ID!, $at: DateTimeISO!) { scheduleCampaign(id: $id, scheduledAt: $at) { id } }', {
        id: s.ids.campaign,
        at: new Date(Date.now() + 7 * 86400_000).toISOString(),
      }),
  }],
  ['startCampaign', {
    records: ['campaign.started'],
    pushes: ['campaignUpdated'],
    run: async (s) => {
      // One a minute: the second recipient is still waiting when the campaign is paused.
      const second = (await s.gql('mutation ($i: CreateContactInput!) { createContact(input: $i) { id } }', { i: { name: 'Ann', phone: uniquePhone()[0] } })).createContact.id;
      const { createCampaign } = await s.gql('mutation ($s: ID!) { createCampaign(input: { name: "Now", sessionId: $s, messagesPerMinute: 1, messages: [{ body: "Hi {{name}}" }] }) { id } }', { s: s.ids.session });
      s.ids.sending = createCampaign.id;
      await s.gql('mutation ($id: ID!, $c: [ID!]!) { setCampaignRecipients(campaignId: $id, input: { contactIds: $c }) { id } }', { id: s.ids.sending, c: [s.ids.contact, second] });
      return s.gql('mutation ($id: ID!) { startCampaign(id: $id) { id } }', { id: s.ids.sending });
    },
  }],
  ['pauseCampaign', {
    records: ['campaign.paused'],
    pushes: ['campaignUpdated'],
    run: (s) => s.gql('mutation ($id: ID!) { pauseCampaign(id: $id) { id } }', { id: s.ids.sending }),
  }],
  ['resumeCampaign', {
    records: ['campaign.resumed'],
    pushes: ['campaignUpdated'],
    run: (s) => s.gql('mutation ($id: ID!) { resumeCampaign(id: $id) { id } }', { id: s.ids.sending }),
  }],
  ['cancelCampaign', {
    records: ['campaign.cancelled'],
    run: (s) => s.gql('mutation ($id: ID!) { cancelCampaign(id: $id) { id } }', { id: s.ids.campaign }),
  }],
  ['deleteCampaign', {
    records: ['campaign.deleted'],
    run: (s) => s.gql('mutation ($id: ID!) { deleteCampaign(id: $id) }', { id: s.ids.campaign }),
  }],
  ['setTenantConfig', {
    records: ['settings.changed'],
    run: (s) => s.gql('mutation { setTenantConfig(key: "shop.url", value: "https://shop.example") { key } }'),
  }],
  ['setTenantSecret', {
    records: ['settings.changed'],
    run: (s) => s.gql('mutation { setTenantSecret(key: "payments.apiKey", value: "sk_test_123") { key } }'),
  }],
  ['deleteTenantConfig', {
    records: ['settings.changed'],
    run: (s) => s.gql('mutation { deleteTenantConfig(key: "shop.url") }'),
  }],
  ['updateMasterConfig', {
    records: ['settings.changed'],
    run: (s) => s.gql('mutation { updateMasterConfig(input: { businessName: "Promise Bakery" }) { businessName } }'),
  }],
  ['updateWhatsappSettings', {
    records: ['settings.changed'],
    run: (s) => s.gql('mutation ($id: ID!) { updateWhatsappSettings(sessionId: $id, input: { markReadOnReply: true }) { markReadOnReply } }', { id: s.ids.session }),
  }],
  ['deleteDocument', {
    records: ['document.deleted'],
    run: (s) => s.gql('mutation ($id: ID!) { deleteDocument(id: $id) }', { id: s.ids.document }),
  }],
  ['deleteContactGroup', {
    records: ['contact_group.deleted'],
    run: (s) => s.gql('mutation ($id: ID!) { deleteContactGroup(id: $id) }', { id: s.ids.group }),
  }],
  ['deleteLabel', {
    records: ['label.deleted'],
    run: (s) => s.gql('mutation ($id: ID!) { deleteLabel(id: $id) }', { id: s.ids.label }),
  }],
  ['deleteContact', {
    records: ['contact.deleted'],
    run: (s) => s.gql('mutation ($id: ID!) { deleteContact(id: $id) }', { id: s.ids.contact }),
  }],
  ['restoreContact', {
    records: ['contact.restored'],
    run: (s) => s.gql('mutation ($id: ID!) { restoreContact(id: $id) { id } }', { id: s.ids.contact }),
  }],
  ['createApiKey', {
    records: ['api_key.created'],
    run: async (s) => (s.ids.apiKey = (await s.gql('mutation { createApiKey(name: "ERP") { apiKey { id } } }')).createApiKey.apiKey.id),
  }],
  ['revokeApiKey', {
    records: ['api_key.revoked'],
    run: (s) => s.gql('mutation ($id: ID!) { revokeApiKey(id: $id) }', { id: s.ids.apiKey }),
  }],
  ['addMember', {
    records: ['member.invited'],
    run: async (s) => {
      const { addMember } = await s.gql(INVITE, { i: { email: `agent.${Date.now()}@example.com`, role: 'AGENT' } });
      s.ids.invitationToken = addMember.invitationToken;
    },
  }],
  ['acceptInvitationToken', {
    // Nobody is signed in: the event names the account the invitation made.
    records: ['member.added'],
    actor: (s) => ['USER', s.ids.member],
    run: async (s) => {
      const { acceptInvitationToken } = await s.t.client.data(
        'mutation ($i: AcceptInvitationTokenInput!) { acceptInvitationToken(input: $i) { user { id } } }',
        { i: { token: s.ids.invitationToken, password: 'correct horse battery staple', name: 'Agent' } },
      );
      s.ids.member = acceptInvitationToken.user.id;
    },
  }],
  ['changeMemberRole', {
    records: ['member.role_changed'],
    run: (s) => s.gql('mutation ($u: ID!) { changeMemberRole(userId: $u, role: MANAGER) { role } }', { u: s.ids.member }),
  }],
  ['removeMember', {
    records: ['member.removed'],
    run: (s) => s.gql('mutation ($u: ID!) { removeMember(userId: $u) }', { u: s.ids.member }),
  }],
  ['acceptInvitation', {
    // An account of another organisation, signed in there, joins this one.
    records: ['member.added'],
    actor: (s) => ['USER', s.ids.guest],
    run: async (s) => {
      const guest = await s.t.client.signUp();
      s.ids.guest = guest.userId;
      s.ids.guestToken = guest.token;
      const { addMember } = await s.gql(INVITE, { i: { email: guest.email, role: 'AGENT' } });
      await s.t.client.data('mutation ($id: ID!) { acceptInvitation(id: $id) { token } }', { id: addMember.invitation.id }, guest.token);
    },
  }],
  ['declineInvitation', {
    // Another organisation's owner, signed in there, says no.
    records: ['member.invitation_declined'],
    actor: (s) => ['USER', s.ids.decliner],
    run: async (s) => {
      const decliner = await s.t.client.signUp();
      s.ids.decliner = decliner.userId;
      const { addMember } = await s.gql(INVITE, { i: { email: decliner.email, role: 'AGENT' } });
      await s.t.client.data('mutation ($id: ID!) { declineInvitation(id: $id) }', { id: addMember.invitation.id }, decliner.token);
      // Left pending for revokeInvitation.
      s.ids.revocable = (await s.gql(INVITE, { i: { email: `later.${Date.now()}@example.com`, role: 'AGENT' } })).addMember.invitation.id;
    },
  }],
  ['revokeInvitation', {
    records: ['member.invitation_revoked'],
    run: (s) => s.gql('mutation ($id: ID!) { revokeInvitation(id: $id) }', { id: s.ids.revocable }),
  }],
  ['disconnectWhatsApp', {
    records: ['whatsapp_session.status_changed'],
    pushes: ['whatsappSessionUpdated'],
    run: (s) => s.gql('mutation ($id: ID!) { disconnectWhatsApp(id: $id) { id } }', { id: s.ids.session }),
  }],
];

describe('every mutation that changes data records its domain event, and live subscriptions push it to its tenant only', () => {
  let t: TestApp;
  let owner: SignedUp;
  let stranger: SignedUp;
  const sockets: WsClient[] = [];
  const mine = new Map<LiveName, LiveSubscription>();
  const theirs = new Map<LiveName, LiveSubscription>();

  before(async () => {
    t = await startTestApp({ SANDBOX_ACK_DELAYS_MS: '20,40,60' });
    owner = await t.client.signUp();
    stranger = await t.client.signUp();
    await setPlanLimits(t, owner.tenantId);
    for (const [token, subscriptions] of [[owner.token, mine], [stranger.token, theirs]] as const) {
      const ws = t.client.ws(token);
      sockets.push(ws);
      for (const name of Object.keys(LIVE) as LiveName[]) subscriptions.set(name, new LiveSubscription(ws, LIVE[name]));
    }
  });

  after(async () => {
    for (const subscription of [...mine.values(), ...theirs.values()]) subscription.dispose();
    for (const ws of sockets) await ws.dispose();
    await t?.stop();
  });

  test('each mutation of the schema is run here or listed as recording nothing', () => {
    const mutations = Object.keys(t.app.schema.getMutationType()!.getFields()).sort();
    const covered = new Set([...RECIPES.map(([name]) => name), ...Object.keys(RECORDS_NOTHING)]);
    const missing = mutations.filter((name) => !covered.has(name));
    assert.deepEqual(missing, [], `mutations that neither record an event here nor say why not: ${missing.join(', ')}`);
    const unknown = [...covered].filter((name) => !mutations.includes(name));
    assert.deepEqual(unknown, [], 'recipes for mutations the schema does not have');
    assert.equal(RECIPES.filter(([name]) => name in RECORDS_NOTHING).length, 0, 'a mutation is either recorded or excused');
  });

  test('each recipe records its events (actor: the caller) and pushes its live events to the same tenant only', async () => {
    const s: Scenario = { t, owner, ids: {}, gql: (query, variables) => t.client.data(query, variables, owner.token) };
    // The subscriptions are live once a change reaches them (graphql-ws has no acknowledgement).
    await eventually(async () => {
      await s.gql('mutation { updateMasterConfig(input: { currency: "EUR" }) { currency } }');
      await s.gql(CONNECT, { input: { provider: 'SANDBOX', name: 'Warm-up' } });
      return (mine.get('whatsappSessionUpdated')?.data.length ?? 0) > 0;
    }, 'the subscriptions to be live');

    const lastSeq = async () => Number((await tenantQuery(t, owner.tenantId, 'SELECT coalesce(max(seq), 0) AS seq FROM domain_events'))[0].seq);
    for (const [mutation, recipe] of RECIPES) {
      const since = await lastSeq();
      const counts = new Map([...mine].map(([name, subscription]) => [name, subscription.data.length]));
      await recipe.run(s);
      const recorded = await eventually(async () => {
        const rows = await tenantQuery<{ type: string; actor_kind: string; actor_id: string | null }>(
          t,
          owner.tenantId,
          'SELECT type, actor_kind, actor_id FROM domain_events WHERE seq > $1 ORDER BY seq',
          [since],
        );
        return recipe.records.every((type) => rows.some((row) => row.type === type)) ? rows : null;
      }, `${mutation} to record ${recipe.records.join(', ')}`);
      const own = recorded.find((row) => row.type === recipe.records[0])!;
      const actor = typeof recipe.actor === 'function' ? recipe.actor(s) : recipe.actor;
      assert.deepEqual([own.actor_kind, own.actor_id], actor ?? ['USER', owner.userId], `${mutation}: the event names its actor`);
      for (const live of recipe.pushes ?? []) {
        await mine.get(live)!.waitFor((sub) => sub.data.length > counts.get(live)!, `${mutation} to push ${live}`);
      }
    }
    // Events of the log are whole: id, time and a payload for each.
    const [incomplete] = await tenantQuery(t, owner.tenantId, `SELECT count(*)::int AS n FROM domain_events WHERE payload = '{}'::jsonb OR id IS NULL`);
    assert.equal(incomplete.n, 0);
    // Invitation events carry the email the admin typed, never the token that accepts them.
    const [leaked] = await tenantQuery(t, owner.tenantId, `SELECT count(*)::int AS n FROM domain_events WHERE position($1 in payload::text) > 0`, [s.ids.invitationToken]);
    assert.equal(leaked.n, 0, 'no event holds an invitation token');
    for (const [name, subscription] of theirs) assert.deepEqual(subscription.data, [], `another tenant's ${name} subscriber got nothing`);
  });
});
