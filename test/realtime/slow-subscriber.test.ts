import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../support/test-app';
import { LiveSubscription, MESSAGE_RECEIVED, inboundMessage, publishUntilSeen, waitUntil } from '../support/live-subscription';
import { messageReceivedEvent } from '../../src/modules/inbox/inbox-events';
import { STALLED_SUBSCRIBER_CLOSE_CODE } from '../../src/platform/realtime/graphql-ws-server';

type Received = { messageReceived: { body: string } };

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapUsed = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

/** A graphql-ws client by hand, so the test can stop it reading its socket. */
async function rawSubscriber(url: string, token: string, query: string) {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  let closeCode: number | null = null;
  socket.on('close', (code) => {
    closeCode = code;
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const acked = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await acked;
  let received = 0;
  socket.on('message', () => {
    received += 1;
  });
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
  const tcp = (socket as unknown as { _socket: import('node:net').Socket })._socket;
  return {
    get received() {
      return received;
    },
    get closeCode() {
      return closeCode;
    },
    /** Stops reading: the kernel buffers fill, then the server's. */
    stopReading: () => tcp.pause(),
    resume: () => tcp.resume(),
  };
}

describe('a subscriber that stops reading', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ SUBSCRIPTION_QUEUE_LIMIT: '50' });
  });
  after(() => t.stop());

  test('is dropped, while another subscriber of the tenant keeps up and memory stays bounded', async (ctx) => {
    const a = await t.client.signUp();
    const { events } = t.app.platform;
    const healthyClient = t.client.ws(a.token);
    const healthy = new LiveSubscription<Received>(healthyClient, MESSAGE_RECEIVED);
    await publishUntilSeen(t, a.tenantId, healthy);
    const baseline = events.subscriberCount;
    const slow = await rawSubscriber(t.url, a.token, MESSAGE_RECEIVED);
    await waitUntil(() => events.subscriberCount === baseline + 1, 'the slow subscription to be live');
    await publishUntilSeen(t, a.tenantId, healthy);
    await waitUntil(() => slow.received > 0, 'the slow subscriber to get an event while still reading');
    slow.stopReading();
    const heapBefore = heapUsed();

    // 16 KB messages, paced so the healthy subscriber is never more than a few events behind.
    const padding = 'x'.repeat(16_000);
    let published = 0;
    let droppedAfter: number | null = null;
    // Counted and let go of, so the test itself does not hold megabytes of messages.
    let counted = 0;
    const seen = () => {
      counted += healthy.data.filter((d) => d.messageReceived.body.startsWith('load ')).length;
      healthy.data.length = 0;
      return counted;
    };
    const lagMs: number[] = [];
    while (published < 3_000 && (droppedAfter === null || published < droppedAfter + 200)) {
      for (let i = 0; i < 10; i += 1) {
        await events.publish(messageReceivedEvent(a.tenantId, inboundMessage({ body: `load ${published} ${padding}` })));
        published += 1;
      }
      const started = Date.now();
      await waitUntil(() => seen() === published, `the healthy subscriber to keep up (${published} published)`, 2_000);
      lagMs.push(Date.now() - started);
      if (droppedAfter === null && events.subscriberCount === baseline) {
        droppedAfter = published;
        // Reads again at once, to see the close frame behind its backlog before a keep-alive cuts it off.
        slow.resume();
      }
    }
    assert.ok(droppedAfter !== null, `the slow subscriber was dropped (published ${published} × 16 KB)`);
    assert.equal(events.subscriberCount, baseline, 'only the healthy subscription is left');
    assert.equal(seen(), published, 'the healthy subscriber got every event');
    assert.deepEqual(healthy.errors, []);
    lagMs.sort((x, y) => x - y);
    const heapGrowth = heapUsed() - heapBefore;
    ctx.diagnostic(
      `dropped after ${droppedAfter} events (${((droppedAfter * 16) / 1024).toFixed(1)} MiB); healthy catch-up per batch of 10: ` +
        `median ${lagMs[Math.floor(lagMs.length / 2)]} ms, max ${lagMs[lagMs.length - 1]} ms; heap growth ${(heapGrowth / 2 ** 20).toFixed(1)} MiB`,
    );
    // Events are shared between subscribers; a dropped one must not keep hundreds of them alive.
    assert.ok(heapGrowth < 4 * 2 ** 20, `heap grew by ${heapGrowth} bytes`);

    slow.resume();
    await waitUntil(() => slow.closeCode !== null, 'the slow socket to be seen closed once it reads again');
    assert.equal(slow.closeCode, STALLED_SUBSCRIBER_CLOSE_CODE, 'closed with the code that says: reconnect and refetch');
    await healthyClient.dispose();
  });
});
