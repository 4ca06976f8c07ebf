import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../support/test-app';
import { ServerProcess } from '../support/server-process';
import type { SignedUp } from '../support/graphql-client';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { postRaw } from '../fakes/fake-http-server';
import { waitUntil } from '../support/live-subscription';
import { CONNECT, randomPhone } from '../whatsapp/whatsapp-test-kit';
import { STALLED_SUBSCRIBER_CLOSE_CODE } from '../../src/platform/realtime/graphql-ws-server';

/** What an open inbox holds (scripts/watch-inbox.js), with the conversation's last message. */
const INBOX = `subscription {
  messageReceived {
    id direction body fromAddress createdAt
    conversation { id unreadCount lastMessage { id body } contact { name phone } }
  }
}`;

interface Received {
  messageReceived: {
    id: string;
    body: string;
    conversation: { id: string; unreadCount: number; lastMessage: { id: string; body: string } | null; contact: { name: string | null; phone: string } };
  };
}

/** A graphql-ws client by hand over a real socket, so the test can stop it reading. */
async function inboxSubscriber(url: string, token: string, subscriptions = 1) {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const closed: { code: number; reason: string } | null = null;
  const state = { closed: closed as { code: number; reason: string } | null };
  socket.on('close', (code, reason) => {
    state.closed = { code, reason: reason.toString() };
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const acked = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await acked;
  const bodies = new Set<string>();
  const errors: unknown[] = [];
  let sample: Received | null = null;
  socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    if (message.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
    if (message.type !== 'next') return errors.push(message);
    if (message.payload.errors) errors.push(...message.payload.errors);
    const data = message.payload.data as Received | undefined;
    if (!data) return;
    bodies.add(data.messageReceived.body);
    sample = data;
  });
  for (let id = 1; id <= subscriptions; id += 1) socket.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: INBOX } }));
  const tcp = (socket as unknown as { _socket: import('node:net').Socket })._socket;
  return {
    bodies,
    errors,
    get sample() {
      return sample;
    },
    get closed() {
      return state.closed;
    },
    stopReading: () => tcp.pause(),
    resume: () => tcp.resume(),
    close: () => socket.terminate(),
  };
}

const SUBSCRIBERS = 6;
const BURST = 1_000;
const RATE = 450;

describe('an inbound burst with the inbox selection', () => {
  let waha: FakeWahaServer;
  let t: TestApp;
  /** The server under load, as a process of its own (as in production: no test runner in it). */
  let server: ServerProcess;
  let a: SignedUp;
  let session: string;
  let hook: string;
  const dropped: Array<Record<string, unknown>> = [];

  before(async () => {
    waha = await FakeWahaServer.start({ apiKey: 'waha-api-key' });
    t = await startTestApp(waha.appEnv());
    a = await t.client.signUp();
    session = (await t.client.data(CONNECT, { input: { name: 'Burst line' } }, a.token)).connectWhatsApp.externalSessionId;
    server = await ServerProcess.start({
      ...waha.appEnv(),
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info', // 'server ready' is how ServerProcess finds the port
      DATA_DIR: t.app.config.DATA_DIR,
      DATABASE_URL: t.app.config.DATABASE_URL!,
      DB_NAME_PREFIX: t.prefix,
      CONNECTION_BUDGET: '20',
      CONTROL_POOL_SIZE: '3',
      TENANT_POOL_SIZE: '8',
      // A short stall window, so the stalled client is let go of within the test's time.
      SUBSCRIBER_STALL_MS: '1500',
    });
    server.onLog((entry) => {
      if (entry.msg === 'dropping a subscriber that stopped reading') dropped.push(entry);
    });
    hook = `${server.url}/webhooks/waha`;
  });
  after(async () => {
    await server?.kill();
    await t?.stop();
    await waha?.close();
  });

  /** Signed WAHA webhooks of `count` messages from a few customers, paced at `rate` per second. */
  async function burst(prefix: string, count: number, rate: number) {
    const phones = Array.from({ length: 20 }, () => randomPhone());
    const bodies = Array.from({ length: count }, (_, i) => `${prefix} ${i} — ${'Is my order on its way? I paid on Monday and have heard nothing since. '.repeat(16)}`);
    const prepared = bodies.map((body, i) => {
      const raw = waha.buildWebhook('message', { session, payload: FakeWahaServer.inboundText(phones[i % phones.length], body) });
      return { raw, headers: waha.webhookHeaders(raw) };
    });
    const started = Date.now();
    const inFlight = new Set<Promise<void>>();
    const failures: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const due = started + (i * 1_000) / rate;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      while (inFlight.size >= 64) await Promise.race(inFlight);
      const sent: Promise<void> = postRaw(hook, prepared[i].raw, prepared[i].headers).then(
        (response) => {
          if (response.status !== 200) failures.push(`${response.status} ${response.body}`);
        },
        (error: Error) => {
          failures.push(error.message);
        },
      );
      const tracked = sent.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
    const seconds = (Date.now() - started) / 1_000;
    assert.deepEqual(failures, [], 'every webhook was stored');
    return { bodies, seconds, rate: count / seconds };
  }

  test(`${SUBSCRIBERS} subscribers get all ${BURST} messages of a burst at ${RATE}/s, while one that stops reading is closed with ${STALLED_SUBSCRIBER_CLOSE_CODE}`, async (ctx) => {
    const healthy = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => inboxSubscriber(server.url, a.token)));
    // Its socket carries several inboxes, so it fills the kernel's socket buffers (megabytes on
    // loopback) within the burst: until they are full, a stalled reader cannot be told apart.
    const stalled = await inboxSubscriber(server.url, a.token, 8);
    const all = [...healthy, stalled];
    try {
      // Live on the server: a first message reaches everyone.
      const warm = await burst('warm-up', 1, 1);
      await waitUntil(() => all.every((s) => s.bodies.has(warm.bodies[0])), 'every subscription to be live', 10_000);
      stalled.stopReading();
      const pausedAt = Date.now();
      // Read again as soon as the server lets go of it, to see the close frame behind the backlog
      // (a peer that never reads again is cut off by ws's close timeout or graphql-ws's keep-alive).
      let droppedAfter: number | null = null;
      const droppedNow = waitUntil(() => dropped.length > 0, 'the stalled subscriber to be dropped', 30_000).then(() => {
        droppedAfter = Date.now() - pausedAt;
        stalled.resume();
      });
      droppedNow.catch(() => undefined);

      const sent = await burst('burst', BURST, RATE);
      const receivedAll = () => healthy.every((s) => sent.bodies.every((body) => s.bodies.has(body)));
      const started = Date.now();
      await waitUntil(receivedAll, `every healthy subscriber to get all ${BURST} (got ${healthy.map((s) => s.bodies.size).join(', ')}; closed ${JSON.stringify(healthy.map((s) => s.closed))}; errors ${JSON.stringify(healthy[0].errors).slice(0, 300)})`, 15_000);
      const drainSeconds = (Date.now() - started) / 1_000;
      for (const s of healthy) {
        assert.deepEqual(s.errors, []);
        assert.equal(s.closed, null, 'a healthy subscriber is never dropped');
      }
      const sample = healthy[0].sample!;
      assert.ok(sample.messageReceived.conversation.contact.phone, 'relations resolved');
      assert.ok(sample.messageReceived.conversation.lastMessage, 'last message resolved');

      // The stalled one is let go of with a code and reason that tell it to reconnect and refetch.
      await droppedNow;
      await waitUntil(() => stalled.closed !== null, 'the stalled socket to see its close', 10_000);
      ctx.diagnostic(
        `burst of ${BURST} sent in ${sent.seconds.toFixed(2)} s (${Math.round(sent.rate)}/s); healthy subscribers complete ${drainSeconds.toFixed(2)} s after the last webhook; ` +
          `the stalled one was dropped ${droppedAfter} ms after it paused (${JSON.stringify(dropped[0])})`,
      );
      assert.equal(dropped.length, 1, 'only the stalled subscriber was dropped');
      assert.equal(stalled.closed!.code, STALLED_SUBSCRIBER_CLOSE_CODE);
      assert.match(stalled.closed!.reason, /reconnect/i);
      assert.match(stalled.closed!.reason, /refetch/i);
      // The pace is the webhooks' to keep; on a starved machine (7 test runs on 2 cores) the server
      // stores fewer a second, which loads it no less: its subscribers still run on what is left.
      if (sent.rate < 400) ctx.diagnostic(`the machine stored only ${Math.round(sent.rate)} webhooks/s of the ${RATE}/s sent`);
    } finally {
      for (const s of all) s.close();
    }
  });
});
