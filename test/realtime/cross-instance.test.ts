import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTestApp, type TestApp } from '../support/test-app';
import { LiveSubscription, MESSAGE_RECEIVED, inboundMessage, publishUntilSeen, waitUntil } from '../support/live-subscription';
import { messageReceivedEvent } from '../../src/modules/inbox/inbox-events';
import { PostgresTenantEventBus } from '../../src/platform/realtime/postgres-event-bus';
import { RedisTenantEventBus } from '../../src/platform/realtime/redis-event-bus';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

type Received = { messageReceived: { id: string; conversationId: string; body: string } };

for (const broker of ['postgres', 'redis'] as const) {
  describe(`two instances share live events through ${broker}`, () => {
    let one: TestApp;
    let two: TestApp;
    const clients: Array<{ dispose(): unknown }> = [];
    const ws = (app: TestApp, token: string) => {
      const client = app.client.ws(token);
      clients.push(client);
      return client;
    };

    before(async () => {
      const env: Record<string, string> = broker === 'redis' ? { REDIS_URL } : {};
      one = await startTestApp(env);
      two = await startTestApp(env, { join: one });
    });
    after(async () => {
      await Promise.all(clients.map((client) => client.dispose()));
      await two?.stop();
      await one?.stop();
    });

    test('the expected bus is in use', () => {
      const expected = broker === 'redis' ? RedisTenantEventBus : PostgresTenantEventBus;
      assert.ok(one.app.platform.events instanceof expected);
      assert.ok(two.app.platform.events instanceof expected);
    });

    test("an event published on instance 1 reaches instance 2's subscribers of that tenant only", async () => {
      const [a, b] = await Promise.all([one.client.signUp(), one.client.signUp()]);
      const aOnTwo = new LiveSubscription<Received>(ws(two, a.token), MESSAGE_RECEIVED);
      const aOnOne = new LiveSubscription<Received>(ws(one, a.token), MESSAGE_RECEIVED);
      const bOnTwo = new LiveSubscription<Received>(ws(two, b.token), MESSAGE_RECEIVED);
      await Promise.all([publishUntilSeen(one, a.tenantId, aOnTwo), publishUntilSeen(one, a.tenantId, aOnOne), publishUntilSeen(one, b.tenantId, bOnTwo)]);

      const sent = [0, 1, 2, 3, 4].map((i) => `A ${i} from one`);
      for (const body of sent) await one.app.platform.events.publish(messageReceivedEvent(a.tenantId, inboundMessage({ body })));
      const ours = (s: LiveSubscription<Received>) => s.data.map((d) => d.messageReceived.body).filter((body) => body.endsWith('from one'));
      await aOnTwo.waitFor(() => ours(aOnTwo).length === sent.length, 'all events on instance 2');
      await aOnOne.waitFor(() => ours(aOnOne).length === sent.length, 'all events on instance 1');
      assert.deepEqual(ours(aOnTwo), sent, 'in order, each once');
      assert.deepEqual(ours(aOnOne), sent, 'the publishing instance delivers once too (its echo is skipped)');
      assert.deepEqual(ours(bOnTwo), [], "tenant B never sees A's events");
    });

    test('a burst published at once arrives complete and in order', async () => {
      const a = await one.client.signUp();
      const s = new LiveSubscription<Received>(ws(two, a.token), MESSAGE_RECEIVED);
      await publishUntilSeen(one, a.tenantId, s);
      // Published in one go, as concurrent webhooks would: Postgres batches them into few NOTIFYs.
      const bodies = Array.from({ length: 200 }, (_, i) => `burst ${i} ${'·'.repeat(i % 7 === 0 ? 3_000 : 40)}`);
      await Promise.all(bodies.map((body) => one.app.platform.events.publish(messageReceivedEvent(a.tenantId, inboundMessage({ body })))));
      const burst = () => s.data.map((d) => d.messageReceived.body).filter((body) => body.startsWith('burst '));
      await s.waitFor(() => burst().length === bodies.length, 'the whole burst', 10_000);
      assert.deepEqual(burst(), bodies);
    });

    test('an event bigger than a NOTIFY payload crosses intact and in order', async () => {
      const a = await one.client.signUp();
      const s = new LiveSubscription<Received>(ws(two, a.token), MESSAGE_RECEIVED);
      await publishUntilSeen(one, a.tenantId, s);
      // 12,000 characters of 3-byte UTF-8: ~36 KB, far past NOTIFY's 8000 bytes.
      const big = `${'€'.repeat(12_000)} big`;
      const bodies = ['small before', big, 'small after'];
      for (const body of bodies) await one.app.platform.events.publish(messageReceivedEvent(a.tenantId, inboundMessage({ body })));
      await s.waitFor(() => s.data.some((d) => d.messageReceived.body === 'small after'), 'the last event');
      const received = s.data.map((d) => d.messageReceived.body).filter((body) => bodies.includes(body));
      assert.deepEqual(received, bodies);
    });

    test('after the broker connection drops, the instance reconnects and receives again', async () => {
      const a = await one.client.signUp();
      const s = new LiveSubscription<Received>(ws(two, a.token), MESSAGE_RECEIVED);
      await publishUntilSeen(one, a.tenantId, s);

      if (broker === 'postgres') {
        const bus = two.app.platform.events as PostgresTenantEventBus;
        const pid = bus.listenerPid;
        assert.ok(pid, 'instance 2 listens');
        const admin = await two.admin();
        try {
          await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        } finally {
          await admin.end();
        }
        await waitUntil(() => bus.reconnects >= 1 && bus.listenerPid !== null && bus.listenerPid !== pid, 'the LISTEN connection to be re-opened', 10_000);
      } else {
        const redis = new Redis(REDIS_URL);
        try {
          const clientsList = (await redis.client('LIST')) as string;
          const ids = clientsList
            .split('\n')
            .filter((line) => line.includes(` name=${one.prefix}:events-sub `))
            .map((line) => /\bid=(\d+)/.exec(line)![1]);
          assert.ok(ids.length >= 2, 'both instances hold a subscriber connection');
          for (const id of ids) await redis.client('KILL', 'ID', id);
        } finally {
          redis.disconnect();
        }
      }
      // Events sent while it was down are lost to instance 2; new ones arrive again.
      await publishUntilSeen(one, a.tenantId, s);
      assert.deepEqual(s.errors, []);
      assert.equal(s.completed, false, 'the subscription itself lived through it');
    });
  });
}
