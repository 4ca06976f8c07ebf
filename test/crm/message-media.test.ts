import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { setPlanLimits, uniquePhone } from '../support/crm-fixtures';
import { MediaUrlSigner } from '../../src/platform/crypto/media-url-signer';
import { LiveSubscription } from '../support/live-subscription';

const TTL_SECONDS = 120;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(300)]);
const UPLOAD = `mutation ($input: UploadDocumentInput!) { uploadDocument(input: $input) { id } }`;
const CONNECT = `mutation { connectWhatsApp(input: {provider: SANDBOX, name: "Line"}) { id } }`;
const SIMULATE = `mutation ($input: SimulateInboundMessageInput!) { simulateInboundMessage(input: $input) { id conversationId } }`;
const SEND = `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
const MEDIA_FIELDS = 'media { id url urlExpiresAt mimeType fileName sizeBytes }';
const MESSAGES = `query ($id: ID!) {
  messages(conversationId: $id, first: 50) { edges { node { id body direction ${MEDIA_FIELDS} replyTo { id body direction ${MEDIA_FIELDS} } } } }
}`;
const HISTORY = `query ($id: ID!) {
  conversation(id: $id) { messages(last: 50) { edges { node { id ${MEDIA_FIELDS} replyTo { id } } } } }
}`;

interface Chat {
  owner: SignedUp;
  conversationId: string;
  inboundId: string;
  documentId: string;
  /** Outbound, with the document, quoting the inbound message. */
  withMediaId: string;
  textId: string;
}

/** A tenant with a sandbox channel: a customer writes, we answer with an image quoting them, then with text. */
async function chat(t: TestApp, fileName: string): Promise<Chat> {
  const owner = await t.client.signUp();
  await setPlanLimits(t, owner.tenantId);
  const sessionId = (await t.client.data(CONNECT, {}, owner.token)).connectWhatsApp.id;
  const inbound = (await t.client.data(SIMULATE, { input: { sessionId, from: uniquePhone()[0], fromName: 'Ada', body: 'Can I see it?' } }, owner.token))
    .simulateInboundMessage;
  const documentId = (
    await t.client.data(UPLOAD, { input: { filename: fileName, contentType: 'image/png', contentBase64: PNG.toString('base64') } }, owner.token)
  ).uploadDocument.id;
  const conversationId = inbound.conversationId;
  const withMediaId = (await t.client.data(SEND, { input: { conversationId, documentId, body: 'Here it is', replyToId: inbound.id } }, owner.token))
    .sendMessage.id;
  const textId = (await t.client.data(SEND, { input: { conversationId, body: 'Anything else?' } }, owner.token)).sendMessage.id;
  return { owner, conversationId, inboundId: inbound.id, documentId, withMediaId, textId };
}

describe('Message.media (signed URLs) and Message.replyTo', () => {
  let t: TestApp;
  let a: Chat;
  let b: Chat;
  let signerWithServerKey: (now: () => number) => MediaUrlSigner;

  before(async () => {
    t = await startTestApp({ MEDIA_URL_TTL_SECONDS: String(TTL_SECONDS) });
    [a, b] = await Promise.all([chat(t, 'photo ä.png'), chat(t, 'other.png')]);
    // The server's own key (generated into DATA_DIR), to mint URLs it would have signed.
    const secret = fs.readFileSync(path.join(t.app.config.DATA_DIR, 'secrets-key'), 'utf8').trim();
    signerWithServerKey = (now) => new MediaUrlSigner(secret, TTL_SECONDS, now);
  });
  after(() => t.stop());

  const nodes = async (c: Chat) => {
    const { messages } = await t.client.data(MESSAGES, { id: c.conversationId }, c.owner.token);
    return new Map<string, any>(messages.edges.map((edge: any) => [edge.node.id, edge.node]));
  };
  const get = (url: string, headers: Record<string, string> = {}) => fetch(`${t.url}${url}`, { headers });

  test('media carries a signed URL that serves the file without an Authorization header', async () => {
    const byId = await nodes(a);
    const media = byId.get(a.withMediaId).media;
    assert.equal(media.id, a.documentId);
    assert.equal(media.mimeType, 'image/png');
    assert.equal(media.fileName, 'photo ä.png');
    assert.equal(media.sizeBytes, PNG.length);
    assert.match(media.url, new RegExp(`^/media/${a.owner.tenantId}/${a.documentId}\\?exp=\\d+&sig=[A-Za-z0-9_-]{43}$`));
    const expiresIn = (Date.parse(media.urlExpiresAt) - Date.now()) / 1000;
    assert.ok(expiresIn > TTL_SECONDS - 5 && expiresIn <= TTL_SECONDS * 1.2 + 1, `expires in ${expiresIn} s`);
    assert.equal(byId.get(a.textId).media, null, 'no document, no media');
    assert.equal(byId.get(a.inboundId).media, null);

    const response = await get(media.url); // no Authorization header, as an <img src> would load it
    assert.equal(response.status, 200);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(PNG));
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(response.headers.get('content-disposition')!, /^inline; /);
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    assert.ok(maxAge > 0 && maxAge <= TTL_SECONDS * 1.2 + 1 && Math.abs(maxAge - expiresIn) <= 2, `max-age ${maxAge} is the time left`);

    // The same document keeps its URL across refetches (browsers reuse their copy), in every view of it.
    const again = await nodes(a);
    assert.equal(again.get(a.withMediaId).media.url, media.url);
    const { conversation } = await t.client.data(HISTORY, { id: a.conversationId }, a.owner.token);
    const inHistory = conversation.messages.edges.find((edge: any) => edge.node.id === a.withMediaId).node;
    assert.equal(inHistory.media.url, media.url);
  });

  test('live subscriptions carry media and replyTo too', async () => {
    const ws = t.client.ws(a.owner.token);
    const live = new LiveSubscription(ws, `subscription { messageUpdated { id ${MEDIA_FIELDS} replyTo { id } } }`);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the subscription is registered
      const sent = await t.client.data(SEND, { input: { conversationId: a.conversationId, documentId: a.documentId, replyToId: a.textId } }, a.owner.token);
      await live.waitFor((s) => s.data.some((d: any) => d.messageUpdated.id === sent.sendMessage.id), 'the new message pushed');
      const pushed = live.data.find((d: any) => d.messageUpdated.id === sent.sendMessage.id).messageUpdated;
      assert.equal(pushed.replyTo.id, a.textId);
      assert.equal(pushed.media.id, a.documentId);
      const response = await get(pushed.media.url);
      assert.equal(response.status, 200);
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(PNG));
    } finally {
      live.dispose();
      await ws.dispose();
    }
  });

  test('tampered, expired and other-tenant URLs are refused with a stable JSON error', async () => {
    const url = (await nodes(a)).get(a.withMediaId).media.url as string;
    const bUrl = (await nodes(b)).get(b.withMediaId).media.url as string;
    const parsed = new URL(url, 'http://x');
    const exp = parsed.searchParams.get('exp')!;
    const sig = parsed.searchParams.get('sig')!;
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    const refused = async (candidate: string, reason: string, label: string) => {
      const response = await get(candidate);
      assert.equal(response.status, 403, label);
      assert.match(response.headers.get('content-type')!, /^application\/json/);
      const body = (await response.json()) as { code?: string; reason?: string; error?: unknown };
      assert.deepEqual({ code: body.code, reason: body.reason }, { code: 'FORBIDDEN', reason }, label);
      assert.equal(typeof body.error, 'string');
    };
    await refused(`/media/${a.owner.tenantId}/${a.documentId}?exp=${exp}&sig=${flipped}`, 'INVALID_SIGNATURE', 'signature changed');
    await refused(`/media/${a.owner.tenantId}/${a.documentId}?exp=${Number(exp) + 3600}&sig=${sig}`, 'INVALID_SIGNATURE', 'expiry pushed back');
    await refused(`/media/${a.owner.tenantId}/${b.documentId}?exp=${exp}&sig=${sig}`, 'INVALID_SIGNATURE', "another tenant's document under A's signature");
    await refused(`/media/${b.owner.tenantId}/${a.documentId}?exp=${exp}&sig=${sig}`, 'INVALID_SIGNATURE', 'the tenant swapped');
    await refused(`/media/${a.owner.tenantId}/${a.documentId}?exp=${exp}`, 'INVALID_SIGNATURE', 'no signature');
    await refused(`/media/${a.owner.tenantId}/${a.documentId}`, 'INVALID_SIGNATURE', 'nothing but the path');
    // A's document id under B's valid signature for B's document: still B's signature, not A's.
    const bSig = new URL(bUrl, 'http://x').searchParams;
    await refused(`/media/${a.owner.tenantId}/${a.documentId}?exp=${bSig.get('exp')}&sig=${bSig.get('sig')}`, 'INVALID_SIGNATURE', "B's signature on A's document");

    // Signed by the server's key, but its time is over.
    const expired = signerWithServerKey(() => Date.now() - 2 * TTL_SECONDS * 1000).sign(a.owner.tenantId, a.documentId).url;
    await refused(expired, 'EXPIRED', 'expired');

    // A genuine signature for tenant B naming A's document: B has no such document.
    const crossTenant = signerWithServerKey(Date.now).sign(b.owner.tenantId, a.documentId).url;
    const notB = await get(crossTenant);
    assert.equal(notB.status, 404);
    assert.deepEqual(await notB.json(), { error: 'not found', code: 'NOT_FOUND' });
    assert.equal((await get(signerWithServerKey(Date.now).sign('not-a-tenant', a.documentId).url)).status, 404);
    // The real URL still works: none of the above changed anything.
    assert.equal((await get(url)).status, 200);
  });

  test('a deleted document is no longer served and its message has no media', async () => {
    const c = await chat(t, 'to-delete.png');
    const url = (await nodes(c)).get(c.withMediaId).media.url as string;
    assert.equal((await get(url)).status, 200);
    await t.client.data('mutation ($id: ID!) { deleteDocument(id: $id) }', { id: c.documentId }, c.owner.token);
    const response = await get(url);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: 'not found', code: 'NOT_FOUND' });
    assert.equal((await nodes(c)).get(c.withMediaId).media, null);
  });

  test('replyTo is the quoted message of the same tenant; null when there is none', async () => {
    const byId = await nodes(a);
    const reply = byId.get(a.withMediaId);
    assert.equal(reply.replyTo.id, a.inboundId);
    assert.equal(reply.replyTo.body, 'Can I see it?');
    assert.equal(reply.replyTo.direction, 'INBOUND');
    assert.equal(reply.replyTo.media, null);
    assert.equal(byId.get(a.textId).replyTo, null);
    assert.equal(byId.get(a.inboundId).replyTo, null);
    // Quoting a message of another tenant is refused at send time: nothing links across tenants.
    await t.client.expectError('VALIDATION_FAILED', SEND, { input: { conversationId: b.conversationId, body: 'x', replyToId: a.inboundId } }, b.owner.token);
    // And another tenant's conversation is not found, media and all.
    await t.client.expectError('NOT_FOUND', MESSAGES, { id: a.conversationId }, b.owner.token);
    const { conversation } = await t.client.data(HISTORY, { id: a.conversationId }, b.owner.token);
    assert.equal(conversation, null);
  });
});
