import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { dropDatabasesWithPrefix, startTestApp, testServerUrl, type TestApp } from '../support/test-app';
import { withDatabase } from '../../src/platform/db/connection-url';

/**
 * Issue 11, finding 10: three instances starting together on a fresh control database raced on
 * control migrations, templates and pg-boss queue creation, and one died with `deadlock detected`.
 */
describe('finding 10: start-up that races safely', () => {
  const prefix = `t${crypto.randomBytes(5).toString('hex')}`;
  const apps: TestApp[] = [];
  after(async () => {
    await Promise.all(apps.map((t) => t.stop().catch(() => undefined)));
    await dropDatabasesWithPrefix(prefix);
  });

  test('three instances started together on a fresh control database all come up and serve', async () => {
    // The same deployment (control database and prefix), each with its own data dir and secrets.
    const env = { DB_NAME_PREFIX: prefix, DATABASE_URL: withDatabase(testServerUrl(), `${prefix}_control`) };
    const started = await Promise.allSettled([startTestApp(env), startTestApp(env), startTestApp(env)]);
    for (const result of started) if (result.status === 'fulfilled') apps.push(result.value);
    const failures = started.flatMap((result) => (result.status === 'rejected' ? [String(result.reason?.stack ?? result.reason)] : []));
    assert.deepEqual(failures, [], 'every instance starts');
    // Each serves a query that needs the control database, the template and a tenant database.
    await Promise.all(
      apps.map(async (t, i) => {
        const owner = await t.client.signUp({ organizationName: `Race ${i}` });
        const data = await t.client.data('{ me { user { id } } conversations(first: 1) { totalCount } }', {}, owner.token);
        assert.ok(data.me.user.id);
        assert.equal(data.conversations.totalCount, 0);
      }),
    );
  });
});
