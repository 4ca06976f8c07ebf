import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import type { Locator, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { memberWithRole } from '../support/crm-fixtures';
import { TestBrowser, WebSocketTap, type BrowserSession } from '../support/browser';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { CONNECT, SIMULATE, randomPhone, tenantQuery } from '../whatsapp/whatsapp-test-kit';

/**
 * The web inbox (web/, served at `/`) in headless chromium, driven only through the data-testid
 * contract of /work/briefs/web-contract.md. Two agents of one tenant in two browser contexts, a
 * third browser of another tenant. Every wait is on a DOM condition; none sleeps.
 */

/** A real PNG of `width` x `height` (RGB, one colour), so the browser can decode it. */
function pngImage(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // colour type: RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x4a)]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const unique = () => randomBytes(3).toString('hex');

/** The issue's bar: a new message shows in every agent's browser within a second, no reload. */
const LIVE_WITHIN_MS = 1_000;

const item = (page: Page, conversationId: string): Locator =>
  page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`);

/** The list item of a conversation once its last message reads `body`. */
const itemShowing = (page: Page, conversationId: string, body: string): Locator =>
  item(page, conversationId).getByTestId('conversation-last-message').filter({ hasText: body });

const messageShowing = (page: Page, body: string, direction: 'INBOUND' | 'OUTBOUND' = 'INBOUND', status?: string): Locator =>
  page
    .getByTestId('conversation-view')
    .locator(`[data-testid="message"][data-direction="${direction}"]${status ? `[data-status="${status}"]` : ''}`)
    .filter({ has: page.getByTestId('message-body').filter({ hasText: body }) });

const connection = (page: Page, state: 'connected' | 'reconnecting') =>
  page.locator(`[data-testid="connection-status"][data-state="${state}"]`).waitFor({ state: 'attached' });

const shows = (locator: Locator, timeout: number) => locator.first().waitFor({ timeout }).then(() => true, () => false);

describe('web inbox in real browsers (chromium): live, assigned, images, ticks, tenants, reconnects', () => {
  let t: TestApp;
  let waha: FakeWahaServer;
  let browser: TestBrowser;
  let tap: WebSocketTap;
  let owner: SignedUp;
  let agent: { token: string; userId: string; name: string };
  let other: SignedUp;
  let sandboxId: string;
  let otherSandboxId: string;
  let photoLine: { id: string; externalSessionId: string };
  let ada: Page;
  let ben: Page;
  /** The conversation the tests share, and its customer. */
  let conversationId: string;
  const customerPhone = randomPhone();

  const adaSession = (): BrowserSession => ({ token: owner.token, tenantId: owner.tenantId });
  const simulate = async (body: string, options: { sessionId?: string; phone?: string; name?: string; token?: string } = {}) =>
    (
      await t.client.data(
        SIMULATE,
        { input: { sessionId: options.sessionId ?? sandboxId, from: `+${options.phone ?? customerPhone}`, fromName: options.name ?? 'Carla Customer', body } },
        options.token ?? owner.token,
      )
    ).simulateInboundMessage as { id: string; conversationId: string; body: string };

  /**
   * graphql-ws says nothing when the server has a subscription: send marker messages until each
   * page shows one live (a page that subscribed too late would never show it without a reload).
   */
  async function untilLive(pages: Page[], send: (marker: string) => Promise<{ conversationId: string }>): Promise<void> {
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      const marker = `warm-up ${attempt} ${unique()}`;
      const sent = await send(marker);
      const seen = await Promise.all(pages.map((page) => shows(itemShowing(page, sent.conversationId, marker), 1_000)));
      if (seen.every(Boolean)) return;
    }
    assert.fail('the pages never showed a live message');
  }

  before(async () => {
    waha = await FakeWahaServer.start({ apiKey: 'waha-api-key' });
    const launching = TestBrowser.launch();
    launching.catch(() => undefined); // awaited below; the app's failure must not hide it
    t = await startTestApp({ ...waha.appEnv(), SANDBOX_ACK_DELAYS_MS: '40,80,120' });
    const home = await fetch(`${t.url}/`, { headers: { accept: 'text/html' } });
    assert.equal(home.status, 200, 'the web inbox is not built (web/dist): `npm test` builds it when Vite is installed, or run `npm run web:build`');
    tap = new WebSocketTap(t.app.httpServer);
    [owner, other] = await Promise.all([t.client.signUp({ name: 'Ada Owner' }), t.client.signUp({ name: 'Cyrus Other' })]);
    agent = await memberWithRole(t, owner, 'AGENT', 'Ben Agent');
    sandboxId = (await t.client.data(CONNECT, { input: { provider: 'SANDBOX', name: 'Demo line' } }, owner.token)).connectWhatsApp.id;
    photoLine = (await t.client.data(CONNECT, { input: { provider: 'WAHA', name: 'Photo line' } }, owner.token)).connectWhatsApp;
    otherSandboxId = (await t.client.data(CONNECT, { input: { provider: 'SANDBOX', name: 'Other line' } }, other.token)).connectWhatsApp.id;
    browser = await launching;
  });
  after(async () => {
    tap?.close();
    await browser?.close();
    await t?.stop();
    await waha?.close();
  });

  test('two agents of one tenant see a simulated inbound message appear without reload within a second', (ctx) =>
    browser.capture('live inbound', async () => {
      [ada, ben] = await Promise.all([
        browser.open('ada', `${t.url}/`, adaSession()),
        browser.open('ben', `${t.url}/`, { token: agent.token, tenantId: owner.tenantId }),
      ]);
      await Promise.all([connection(ada, 'connected'), connection(ben, 'connected')]);
      await untilLive([ada, ben], (marker) => simulate(marker, { phone: randomPhone(), name: 'Warm Up' }));

      const body = `Do you have the blue one in size 40? ${unique()}`;
      const sent = await simulate(body);
      const start = performance.now();
      conversationId = sent.conversationId;
      const elapsed = await Promise.all(
        [ada, ben].map(async (page) => {
          await itemShowing(page, conversationId, body).waitFor();
          return Math.round(performance.now() - start);
        }),
      );
      ctx.diagnostic(`new conversation shown after the mutation answered: ada ${elapsed[0]} ms, ben ${elapsed[1]} ms`);
      for (const ms of elapsed) assert.ok(ms < LIVE_WITHIN_MS, `shown after ${ms} ms`);
      await item(ben, conversationId).getByTestId('unread-count').filter({ hasText: /^\s*1\s*$/ }).waitFor();
      await item(ben, conversationId).getByTestId('conversation-name').filter({ hasText: 'Carla Customer' }).waitFor();

      // A second message into the now open conversation shows in its view too.
      await Promise.all([ada, ben].map((page) => item(page, conversationId).click()));
      await Promise.all([ada, ben].map((page) => messageShowing(page, body).waitFor()));
      const followUp = `Or in green? ${unique()}`;
      await simulate(followUp);
      const followStart = performance.now();
      const followElapsed = await Promise.all(
        [ada, ben].map(async (page) => {
          await messageShowing(page, followUp).waitFor();
          return Math.round(performance.now() - followStart);
        }),
      );
      ctx.diagnostic(`message shown in the open conversation: ada ${followElapsed[0]} ms, ben ${followElapsed[1]} ms`);
      for (const ms of followElapsed) assert.ok(ms < LIVE_WITHIN_MS, `shown after ${ms} ms`);
    }));

  test('one agent assigns the conversation to themself; the other sees the assignee change live', () =>
    browser.capture('assign', async () => {
      const view = (page: Page) => page.locator(`[data-testid="conversation-view"][data-conversation-id="${conversationId}"]`);
      await Promise.all([view(ada).waitFor(), view(ben).waitFor()]);
      await ada.getByTestId('conversation-assignee').filter({ hasText: 'Unassigned' }).first().waitFor();
      await ben.getByTestId('assign-to-me').click();
      await ben.getByTestId('conversation-assignee').filter({ hasText: 'Ben Agent' }).first().waitFor();
      await ada.getByTestId('conversation-assignee').filter({ hasText: 'Ben Agent' }).first().waitFor();
      const stored = await t.client.data('query ($id: ID!) { conversation(id: $id) { assignee { id } } }', { id: conversationId }, owner.token);
      assert.deepEqual(stored.conversation.assignee, { id: agent.userId });
    }));

  test("a message sent from the composer gets its ticks up to READ, in the sender's and the other agent's browser", (ctx) =>
    browser.capture('ticks', async () => {
      const body = `Yes, size 40 is in stock ${unique()}`;
      // Every data-status the message shows in Ben's browser, in order (the ticks must never go back).
      await ben.evaluate((text) => {
        const page = globalThis as any;
        page.__statuses = [] as string[];
        const record = () => {
          for (const message of page.document.querySelectorAll('[data-testid="message"][data-direction="OUTBOUND"]')) {
            if (!message.textContent.includes(text)) continue;
            const status = message.getAttribute('data-status');
            if (page.__statuses.at(-1) !== status) page.__statuses.push(status);
          }
        };
        new page.MutationObserver(record).observe(page.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
      }, body);
      await ada.getByTestId('composer-input').fill(body);
      await ada.getByTestId('composer-send').click();
      await messageShowing(ada, body, 'OUTBOUND').waitFor();
      await Promise.all([messageShowing(ada, body, 'OUTBOUND', 'READ').waitFor(), messageShowing(ben, body, 'OUTBOUND', 'READ').waitFor()]);
      ctx.diagnostic(`statuses shown in the other agent's browser: ${(await ben.evaluate(() => (globalThis as any).__statuses)).join(' → ')}`);
      const order = ['QUEUED', 'SENT', 'DELIVERED', 'READ'];
      const seen: string[] = await ben.evaluate(() => (globalThis as any).__statuses);
      assert.equal(seen.at(-1), 'READ');
      assert.deepEqual([...seen].sort((a, b) => order.indexOf(a) - order.indexOf(b)), seen, `ticks only move forward: ${seen.join(' → ')}`);
      assert.ok(seen.every((status) => order.includes(status)), `statuses: ${seen.join(' → ')}`);
      const id = await messageShowing(ada, body, 'OUTBOUND').getAttribute('data-message-id');
      const [row] = await tenantQuery(t, owner.tenantId, 'SELECT status, body, sent_by_user_id FROM messages WHERE id = $1', [id]);
      assert.deepEqual(row, { status: 'READ', body, sent_by_user_id: owner.userId });
    }));

  test('an inbound image shows in the conversation, loaded through its signed URL', () =>
    browser.capture('image', async () => {
      const file = `photo_${unique()}.png`;
      const url = waha.hostFile(file, pngImage(7, 5), 'image/png');
      const phone = randomPhone();
      const caption = `This one? ${unique()}`;
      const response = await waha.postWebhook(`${t.url}/webhooks/waha`, 'message.media-image', {
        session: photoLine.externalSessionId,
        payload: { ...FakeWahaServer.inboundText(phone, caption), hasMedia: true, media: { url, mimetype: 'image/png', filename: null } },
      });
      assert.equal(response.status, 200, response.body);
      const [stored] = await tenantQuery<{ conversation_id: string; type: string }>(
        t,
        owner.tenantId,
        'SELECT m.conversation_id, m.type FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone = $1',
        [phone],
      );
      assert.equal(stored.type, 'IMAGE');
      await item(ada, stored.conversation_id).click();
      const image = messageShowing(ada, caption).getByTestId('message-image');
      await image.waitFor();
      await ada.waitForFunction((img: any) => img.complete && img.naturalWidth > 0, await image.elementHandle());
      const loaded = await image.evaluate((img: any) => ({ width: img.naturalWidth, height: img.naturalHeight, src: img.currentSrc }));
      assert.equal(loaded.width, 7);
      assert.equal(loaded.height, 5);
      assert.match(loaded.src, /\/media\//, 'a signed media URL, no Authorization header needed');
    }));

  test("the sandbox's simulate-customer control writes in as a new customer; both agents see the conversation", () =>
    browser.capture('simulate control', async () => {
      const phone = randomPhone();
      const body = `Hi, I found you on the map ${unique()}`;
      await ben.getByTestId('simulate-customer').click();
      await ben.getByTestId('simulate-phone').fill(`+${phone}`);
      await ben.getByTestId('simulate-name').fill('Dora Walk-in');
      await ben.getByTestId('simulate-body').fill(body);
      await ben.getByTestId('simulate-send').click();
      for (const page of [ada, ben]) {
        const listed = page.getByTestId('conversation-item').filter({ has: page.getByTestId('conversation-last-message').filter({ hasText: body }) });
        await listed.getByTestId('conversation-name').filter({ hasText: 'Dora Walk-in' }).waitFor();
      }
      const [row] = await tenantQuery(
        t,
        owner.tenantId,
        'SELECT m.direction, ct.name FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone = $1',
        [phone],
      );
      assert.deepEqual(row, { direction: 'INBOUND', name: 'Dora Walk-in' });
    }));

  test("a browser of another tenant sees nothing of it, and its token cannot read the conversation", () =>
    browser.capture('other tenant', async () => {
      const own = await simulate(`Cyrus's own customer ${unique()}`, { sessionId: otherSandboxId, token: other.token, phone: randomPhone(), name: 'Olga' });
      const cyrus = await browser.open('cyrus', `${t.url}/`, { token: other.token, tenantId: other.tenantId });
      await connection(cyrus, 'connected');
      await item(cyrus, own.conversationId).waitFor();
      assert.equal(await item(cyrus, conversationId).count(), 0);

      // A new message of the first tenant, then one of Cyrus's: his page shows his own, never the other.
      const secret = `For Ada's team only ${unique()}`;
      await simulate(secret);
      await itemShowing(ada, conversationId, secret).waitFor();
      await untilLive([cyrus], (marker) => simulate(marker, { sessionId: otherSandboxId, token: other.token, phone: randomPhone(), name: 'Marker' }));
      assert.equal(await item(cyrus, conversationId).count(), 0);
      assert.equal(await cyrus.getByText(secret).count(), 0);
      assert.equal(await cyrus.getByText('Carla Customer').count(), 0);

      // Straight to the API from that browser with its token: nothing of the other tenant.
      const graphql = (query: string, variables: Record<string, unknown>): Promise<any> =>
        cyrus.evaluate(
          async ({ query, variables, token }) => {
            const response = await fetch('/graphql', {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ query, variables }),
            });
            return response.json();
          },
          { query, variables, token: other.token },
        );
      const read = await graphql('query ($id: ID!) { conversation(id: $id) { id contact { name } } }', { id: conversationId });
      assert.deepEqual(read.data, { conversation: null });
      const assign = await graphql('mutation ($id: ID!) { assignConversation(id: $id, userId: null) { id } }', { id: conversationId });
      assert.equal(assign.data, null);
      assert.equal(assign.errors?.[0]?.extensions?.code, 'NOT_FOUND', JSON.stringify(assign.errors));
    }));

  test('after its socket drops and comes back, a browser catches up with a message sent meanwhile', () =>
    browser.capture('reconnect', async () => {
      await messageShowing(ben, 'size 40 is in stock', 'OUTBOUND').waitFor();
      // The network goes: no new connection gets through, and the open socket is cut (close 1006).
      await ben.context().setOffline(true);
      assert.ok(tap.drop('ben') >= 1, "ben's browser had a WebSocket open");
      await connection(ben, 'reconnecting');

      const missed = `Sent while Ben was offline ${unique()}`;
      await simulate(missed);
      await itemShowing(ada, conversationId, missed).waitFor();

      await ben.context().setOffline(false);
      await connection(ben, 'connected');
      await messageShowing(ben, missed).waitFor({ timeout: 20_000 });
      await itemShowing(ben, conversationId, missed).waitFor();
    }));
});
