import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  ConnectSandboxDocument,
  ConversationsDocument,
  createCrmClient,
  CrmError,
  MeDocument,
  MessageReceivedDocument,
  SimulateInboundMessageDocument,
  type ConnectionState,
  type CrmClient,
  type MessageFieldsFragment,
} from '../../clients/typescript/src';
import type { SignedUp } from '../support/graphql-client';
import { StallableProxy } from '../support/stallable-proxy';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Subscribes to inbound messages and plays a customer writing `body` (again every second, since
 * graphql-ws does not acknowledge a subscription) until the subscription delivers it.
 */
async function simulateUntilReceived(client: CrmClient, sessionId: string, body: string, timeoutMs = 15_000): Promise<MessageFieldsFragment> {
  let stop = () => {};
  let timer: NodeJS.Timeout | undefined;
  const received = new Promise<MessageFieldsFragment>((resolve, reject) => {
    stop = client.subscribe(MessageReceivedDocument, {}, ({ messageReceived }) => messageReceived.body === body && resolve(messageReceived), reject);
    setTimeout(() => reject(new Error(`no message "${body}" within ${timeoutMs} ms`)), timeoutMs).unref();
  });
  const send = () =>
    client.mutate(SimulateInboundMessageDocument, { input: { sessionId, from: '+44 7911 123456', fromName: 'Alice', body } }).catch(() => undefined);
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    void send();
    timer = setInterval(() => void send(), 1000);
    return await received;
  } finally {
    clearInterval(timer);
    stop();
  }
}

describe('typed client (clients/typescript): typed queries, subscriptions, errors, reconnects', () => {
  let t: TestApp;
  let owner: SignedUp;
  let sessionId: string;
  before(async () => {
    t = await startTestApp();
    owner = await t.client.signUp();
    const client = createCrmClient({ url: `${t.url}/graphql`, token: owner.token, webSocketImpl: WebSocket });
    sessionId = (await client.mutate(ConnectSandboxDocument, { name: 'Sandbox' })).connectWhatsApp.id;
    await client.close();
  });
  after(() => t.stop());

  test('a typed query and a subscription that delivers a simulated inbound message', async () => {
    const client = createCrmClient({ url: `${t.url}/graphql`, token: () => owner.token, webSocketImpl: WebSocket });
    try {
      const { me } = await client.query(MeDocument, {});
      assert.equal(me.tenant.id, owner.tenantId);
      assert.equal(me.role, 'TENANT_ADMIN');

      const message = await simulateUntilReceived(client, sessionId, 'Do you deliver on Sundays?');
      assert.equal(message.direction, 'INBOUND');
      assert.equal(message.fromAddress, '447911123456');

      const { conversations } = await client.query(ConversationsDocument, { first: 5, filter: { search: 'ali' } });
      assert.deepEqual(
        conversations.edges.map((e) => [e.node.id, e.node.contact.name, e.node.lastMessage?.body]),
        [[message.conversationId, 'Alice', 'Do you deliver on Sundays?']],
      );
      const nobody = await client.query(ConversationsDocument, { first: 5, filter: { search: 'zebedee' } });
      assert.equal(nobody.conversations.totalCount, 0);
    } finally {
      await client.close();
    }
  });

  test('errors reject with CrmError and the server code; a refused WebSocket token is reported', async () => {
    const anonymous = createCrmClient({ url: `${t.url}/graphql`, webSocketImpl: WebSocket });
    await assert.rejects(anonymous.query(MeDocument, {}), (error: unknown) => error instanceof CrmError && error.code === 'UNAUTHENTICATED');
    await anonymous.close();

    const client = createCrmClient({ url: `${t.url}/graphql`, token: owner.token, webSocketImpl: WebSocket });
    await assert.rejects(
      client.query(ConversationsDocument, { first: 5, filter: { assigneeId: 'nobody' } }),
      (error: unknown) => error instanceof CrmError && error.code === 'VALIDATION_FAILED',
    );
    await client.close();

    const unauthorized: string[] = [];
    const forged = createCrmClient({
      url: `${t.url}/graphql`,
      token: `${owner.token.slice(0, -4)}AAAA`,
      webSocketImpl: WebSocket,
      onUnauthorized: (reason) => unauthorized.push(reason),
    });
    const errors: CrmError[] = [];
    const stop = forged.subscribe(MessageReceivedDocument, {}, () => assert.fail('a forged token got an event'), (error) => errors.push(error));
    const deadline = Date.now() + 5000;
    while (unauthorized.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    await forged.close();
    assert.equal(unauthorized.length, 1, 'told once that the token was refused');
  });

  test('after the connection is cut it reconnects, says so (onReconnected), and the subscription goes on', async () => {
    const port = Number(new URL(t.url).port);
    const proxy = await StallableProxy.start({ host: '127.0.0.1', port });
    const states: ConnectionState[] = [];
    let reconnects = 0;
    const client = createCrmClient({
      url: `http://127.0.0.1:${proxy.port}/graphql`,
      token: owner.token,
      webSocketImpl: WebSocket,
      onConnectionChange: (state) => states.push(state),
      onReconnected: () => reconnects++,
    });
    try {
      // A subscription held across the cut: it must be resumed, not merely a new one working.
      const heldBodies: string[] = [];
      const stopHeld = client.subscribe(MessageReceivedDocument, {}, ({ messageReceived }) => heldBodies.push(messageReceived.body ?? ''));
      await simulateUntilReceived(client, sessionId, 'before the cut');
      assert.equal(reconnects, 0);
      assert.ok(heldBodies.includes('before the cut'));

      proxy.dropConnections();
      const deadline = Date.now() + 15_000;
      while (reconnects === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(reconnects, 1, `states: ${states.join(' → ')}`);
      assert.ok(states.includes('reconnecting'), `states: ${states.join(' → ')}`);
      assert.equal(states.at(-1), 'connected');
      await simulateUntilReceived(client, sessionId, 'after the cut');
      const deadlineHeld = Date.now() + 5000;
      while (!heldBodies.includes('after the cut') && Date.now() < deadlineHeld) await new Promise((resolve) => setTimeout(resolve, 50));
      stopHeld();
      assert.ok(heldBodies.includes('after the cut'), `the held subscription resumed: ${heldBodies.join(', ')}`);
    } finally {
      await client.close();
      await proxy.close();
    }
  });
});
