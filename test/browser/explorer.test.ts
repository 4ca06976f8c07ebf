import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { TestBrowser } from '../support/browser';
import { CONNECT, SIMULATE, randomPhone } from '../whatsapp/whatsapp-test-kit';

/** GraphiQL 4's response pane is a CodeMirror 5 editor; its instance hangs off the element. */
function responseText(page: Page): Promise<string> {
  // Runs in the page (the test tsconfig has no DOM types, hence `globalThis`).
  return page.evaluate(() => (globalThis as any).document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? '');
}

/** Waits until the response pane contains `text`; answers whether it did within `timeoutMs`. */
async function responseContains(page: Page, text: string, timeoutMs: number): Promise<boolean> {
  return page
    .waitForFunction(
      (expected) => ((globalThis as any).document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? '').includes(expected),
      text,
      { timeout: timeoutMs },
    )
    .then(
      () => true,
      () => false,
    );
}

describe('GraphiQL explorer in a real browser (chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let owner: SignedUp;
  let sessionId: string;

  before(async () => {
    const launching = TestBrowser.launch();
    launching.catch(() => undefined); // awaited below; the app's failure must not hide it
    t = await startTestApp({ SANDBOX_ACK_DELAYS_MS: '20,40,60' });
    owner = await t.client.signUp({ name: 'Explorer Owner' });
    sessionId = (await t.client.data(CONNECT, { input: { provider: 'SANDBOX', name: 'Explorer line' } }, owner.token)).connectWhatsApp.id;
    browser = await launching;
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  test("runs a query over HTTP with the web inbox's token from localStorage", () =>
    browser.capture('explorer query', async () => {
      const page = await browser.open('owner', `${t.url}/graphiql`, {
        token: owner.token,
        tenantId: owner.tenantId,
        // GraphiQL starts with the query it stored last (its `graphiql:` localStorage namespace).
        localStorage: { 'graphiql:query': '{ me { user { name } tenant { id } } }' },
      });
      await page.locator('.graphiql-execute-button').click();
      assert.ok(await responseContains(page, owner.tenantId, 10_000), `the response pane shows the tenant: ${await responseText(page)}`);
      const response = JSON.parse(await responseText(page));
      assert.deepEqual(response.errors, undefined);
      assert.deepEqual(response.data, { me: { user: { name: 'Explorer Owner' }, tenant: { id: owner.tenantId } } });
    }));

  test("signed in through the web inbox's login form, its explorer link opens GraphiQL with that user's token", () =>
    browser.capture('explorer from the inbox', async () => {
      const inbox = await browser.open('inbox', `${t.url}/`);
      const form = inbox.getByTestId('login-form');
      await form.getByTestId('email').fill(owner.email);
      await form.getByTestId('password').fill(owner.password);
      await form.getByTestId('auth-submit').click();
      await inbox.locator('[data-testid="connection-status"][data-state="connected"]').waitFor({ state: 'attached' });
      const [explorer] = await Promise.all([inbox.context().waitForEvent('page'), inbox.getByTestId('open-explorer').first().click()]);
      browser.track('explorer', explorer);
      await explorer.waitForURL(/\/graphiql$/);
      // Its default query asks who is signed in.
      await explorer.locator('.graphiql-execute-button').click();
      assert.ok(await responseContains(explorer, 'Explorer Owner', 10_000), `the response pane names the user: ${await responseText(explorer)}`);
      const response = JSON.parse(await responseText(explorer));
      assert.equal(response.errors, undefined);
      assert.equal(response.data.me.user.name, 'Explorer Owner');
    }));

  test('runs a subscription typed into the editor over graphql-ws and shows each event as it comes', () =>
    browser.capture('explorer subscription', async () => {
      const page = await browser.open('subscriber', `${t.url}/graphiql`, { token: owner.token, tenantId: owner.tenantId });
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));

      // Type as a user would; insertText skips CodeMirror's bracket auto-closing of key presses.
      await page.locator('.graphiql-query-editor .CodeMirror').click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Backspace');
      await page.keyboard.insertText('subscription { messageReceived { body direction fromAddress } }');
      // GraphiQL parses the editor's text after a debounce and picks graphql-ws only for a parsed
      // subscription: run it once the editor holds that parse (an earlier run would go over HTTP).
      await page.waitForFunction(() =>
        ((globalThis as any).document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.documentAST?.definitions ?? []).some(
          (definition: { operation?: string }) => definition.operation === 'subscription',
        ),
      );
      await page.locator('.graphiql-execute-button').click();

      // graphql-ws does not say when the server has the subscription: send markers until one shows.
      const phone = randomPhone();
      const simulate = (body: string) =>
        t.client.data(SIMULATE, { input: { sessionId, from: `+${phone}`, fromName: 'Ana', body } }, owner.token);
      let live = false;
      for (let attempt = 1; attempt <= 20 && !live; attempt += 1) {
        const marker = `warm-up ${attempt}`;
        await simulate(marker);
        live = await responseContains(page, marker, 500);
      }
      assert.ok(live, `the subscription never showed an event: ${await responseText(page)}`);

      await simulate('Is the blue one in stock?');
      assert.ok(await responseContains(page, 'Is the blue one in stock?', 5_000), `the event shows: ${await responseText(page)}`);
      assert.deepEqual(JSON.parse(await responseText(page)).data, {
        messageReceived: { body: 'Is the blue one in stock?', direction: 'INBOUND', fromAddress: phone },
      });
      assert.deepEqual([...new Set(sockets)], [`${t.url.replace(/^http/, 'ws')}/graphql`], 'subscriptions go over graphql-ws on /graphql');
    }));
});
