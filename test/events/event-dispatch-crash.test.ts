import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Client } from 'pg';
import { withDatabase } from '../../src/platform/db/connection-url';
import { startTestApp, testServerUrl, type TestApp } from '../support/test-app';
import { ServerProcess } from '../support/server-process';
import { StallableProxy } from '../support/stallable-proxy';
import { LiveSubscription } from '../support/live-subscription';
import type { SignedUp } from '../support/graphql-client';
import { GraphQLTestClient } from '../support/graphql-client';
import { CONNECT, SIMULATE, eventually } from '../whatsapp/whatsapp-test-kit';

const REDIS = { host: '127.0.0.1', port: Number(process.env.TEST_REDIS_PORT ?? 6379) };
const CONVERSATION_UPDATED = 'subscription { conversationUpdated { id status } }';

/**
 * Instance A (in this process) holds a subscriber; instance B (a child process) shares A's
 * control database and Redis. B's broker link stalls, so its dispatch after a commit never
 * finishes; B is then killed -9. The event is committed and undispatched; B's next start-up finds
 * and dispatches it, and A's subscriber gets it.
 */
describe('events committed but not dispatched when the process dies are dispatched after restart', () => {
  let a: TestApp;
  let proxy: StallableProxy;
  let b: ServerProcess | null = null;
  let owner: SignedUp;
  let env: Record<string, string>;
  let redisUp = true;

  const tenantDb = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const db = new Client({ connectionString: withDatabase(testServerUrl(), `${a.prefix}_t_${owner.tenantId.replace(/-/g, '')}`) });
    await db.connect();
    try {
      return (await db.query(sql, params)).rows as T[];
    } finally {
      await db.end();
    }
  };

  before(async () => {
    proxy = await StallableProxy.start(REDIS);
    redisUp = await new Promise<boolean>((resolve) => {
      const probe = net.connect(REDIS.port, REDIS.host, () => { resolve(true); probe.end(); });
      probe.on('error', () => resolve(false));
    });
    a = await startTestApp({ REDIS_URL: `redis://${REDIS.host}:${REDIS.port}` });
    env = {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: a.app.config.DATA_DIR,
      DATABASE_URL: a.app.config.DATABASE_URL!,
      DB_NAME_PREFIX: a.prefix,
      CONNECTION_BUDGET: '20',
      CONTROL_POOL_SIZE: '3',
      // The write waits for its dispatch long enough for the kill to land first.
      EVENT_DISPATCH_TIMEOUT_MS: '60000',
      EVENT_REDISPATCH_AFTER_MS: '300',
    };
    owner = await a.client.signUp();
  });

  after(async () => {
    await b?.kill();
    await a?.stop();
    await proxy?.close();
  });

  test('a conversation closed on an instance killed before dispatch reaches subscribers after its restart', async (t) => {
    if (!redisUp) return t.skip(`no Redis on ${REDIS.host}:${REDIS.port}`);
    b = await ServerProcess.start({ ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    const onB = new GraphQLTestClient(b.url);
    const channel = (await onB.data(CONNECT, { input: { provider: 'SANDBOX', name: 'Crash' } }, owner.token)).connectWhatsApp;
    const inbound = (await onB.data(SIMULATE, { input: { sessionId: channel.id, from: '+44 7911 123456', fromName: 'Ann', body: 'hi' } }, owner.token))
      .simulateInboundMessage;

    const ws = a.client.ws(owner.token);
    const updates = new LiveSubscription<{ conversationUpdated: { id: string; status: string } }>(ws, CONVERSATION_UPDATED);
    try {
      // Live on A: B's own dispatches still go through until the proxy stalls.
      await eventually(async () => {
        await onB.data(SIMULATE, { input: { sessionId: channel.id, from: '+44 7911 123456', fromName: 'Ann', body: 'still there?' } }, owner.token);
        return updates.data.length > 0;
      }, 'the subscriber on A to be live');

      proxy.stall();
      const closing = onB.request('mutation ($id: ID!) { closeConversation(id: $id) { id status } }', { id: inbound.conversationId }, owner.token);
      closing.catch(() => undefined);
      const [event] = await eventually(
        () =>
          tenantDb<{ seq: string; undispatched: boolean }>(
            `SELECT seq, EXISTS (SELECT 1 FROM domain_events_undispatched u WHERE u.seq = e.seq) AS undispatched
               FROM domain_events e WHERE type = 'conversation.closed' AND subject_id = $1`,
            [inbound.conversationId],
          ).then((rows) => (rows.length ? rows : null)),
        'the close to commit on B',
      );
      assert.equal(event.undispatched, true, 'committed, and its dispatch stuck behind the stalled broker');
      await b.kill();
      assert.ok(!updates.data.some((d) => d.conversationUpdated.status === 'CLOSED'), 'nobody saw the close before the crash');

      b = await ServerProcess.start({ ...env, REDIS_URL: `redis://${REDIS.host}:${REDIS.port}` });
      await updates.waitFor(
        (s) => s.data.some((d) => d.conversationUpdated.id === inbound.conversationId && d.conversationUpdated.status === 'CLOSED'),
        'the close to reach the subscriber after the restart',
        15_000,
      );
      await eventually(
        async () => (await tenantDb('SELECT 1 FROM domain_events_undispatched WHERE seq = $1', [event.seq])).length === 0,
        'the event to leave the outbox',
      );
    } finally {
      updates.dispose();
      await ws.dispose();
    }
  });
});
