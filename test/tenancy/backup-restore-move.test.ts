import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../../src/platform/db/connection-url';
import { startTestApp, testServerUrl, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { runCli } from '../support/cli-process';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { CONNECT, eventually, ingestCounts, randomPhone, tenantQuery } from '../whatsapp/whatsapp-test-kit';

/** Short, so the commands' wait for other instances to see MAINTENANCE is short too. */
const CACHE_TTL_MS = '200';

describe('tenant backup, restore and move (CLI)', () => {
  let t: TestApp;
  let waha: FakeWahaServer;
  let hook: string;
  let backups: string;

  const cli = (command: string, args: string[]) =>
    runCli(t, command, args, { TENANT_CACHE_TTL_MS: CACHE_TTL_MS, DATA_DIR: t.app.config.DATA_DIR });
  const inbound = (session: string, phone: string, body: string, id = `true_${phone}@c.us_${randomBytes(8).toString('hex')}`) =>
    waha.postWebhook(hook, 'message', { session, payload: { ...FakeWahaServer.inboundText(phone, body), id } });
  const placement = async (tenantId: string) =>
    (await t.app.platform.control.query('SELECT p.mode, p.database_server_id, p.database_name, p.schema_name, p.schema_version, t.status FROM tenant_placements p JOIN tenants t ON t.id = p.tenant_id WHERE p.tenant_id = $1', [tenantId]))[0];
  const bodies = async (tenantId: string) =>
    (await tenantQuery<{ body: string }>(t, tenantId, 'SELECT body FROM messages ORDER BY body')).map((row) => row.body);
  const databaseExists = async (name: string) => {
    const admin = await t.admin();
    try {
      return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    } finally {
      await admin.end();
    }
  };

  async function connectTo(database: string): Promise<Client> {
    const client = new Client({ connectionString: withDatabase(testServerUrl(), database) });
    await client.connect();
    return client;
  }

  async function tenantWithMessages(bodiesToSend: string[]): Promise<{ tenant: SignedUp; session: string }> {
    const tenant = await t.client.signUp();
    const { externalSessionId } = (await t.client.data(CONNECT, { input: { name: 'Line' } }, tenant.token)).connectWhatsApp;
    for (const body of bodiesToSend) assert.equal((await inbound(externalSessionId, randomPhone(), body)).status, 200);
    return { tenant, session: externalSessionId };
  }

  before(async () => {
    waha = await FakeWahaServer.start({ apiKey: 'waha-api-key' });
    t = await startTestApp({ ...waha.appEnv(), TENANT_CACHE_TTL_MS: CACHE_TTL_MS });
    hook = `${t.url}/webhooks/waha`;
    backups = path.join(t.app.config.DATA_DIR, 'test-backups');
  });
  after(async () => {
    await t?.stop();
    await waha?.close();
  });

  test('restore brings back the data and media of the backup; the server then serves the restored copy', async () => {
    const { tenant, session } = await tenantWithMessages(['first', 'second']);
    const photo = randomBytes(4096);
    const url = waha.hostFile(`true_${randomBytes(6).toString('hex')}.jpg`, photo, 'image/jpeg');
    const media = await waha.postWebhook(hook, 'message.media-image', {
      session,
      payload: { ...FakeWahaServer.inboundText(randomPhone(), 'a photo'), hasMedia: true, media: { url, mimetype: 'image/jpeg', filename: null } },
    });
    assert.equal(media.status, 200);
    const atBackup = { counts: await ingestCounts(t, tenant.tenantId), bodies: await bodies(tenant.tenantId) };
    const before = await placement(tenant.tenantId);

    const dir = path.join(backups, `restore-${tenant.tenantId}`);
    const backup = await cli('backup-tenant', [tenant.tenantId, '--out', dir]);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /backed up to/);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.tenantId, tenant.tenantId);
    assert.equal(manifest.tables.find((table: { name: string }) => table.name === 'messages').rows, 3);
    assert.equal(manifest.files.length, 1);

    // Life goes on after the backup; then the media folder is lost too.
    assert.equal((await inbound(session, randomPhone(), 'after the backup')).status, 200);
    fs.rmSync(path.join(t.app.config.DATA_DIR, 'media', tenant.tenantId), { recursive: true });

    const restore = await cli('restore-tenant', [tenant.tenantId, dir]);
    assert.equal(restore.code, 0, restore.stderr);
    const after = await placement(tenant.tenantId);
    assert.equal(after.status, 'ACTIVE');
    assert.notEqual(after.database_name, before.database_name, 'restored into a new database');
    assert.equal(after.schema_version, before.schema_version);
    assert.ok(await databaseExists(before.database_name), 'the previous database is kept by default');

    const restored = await eventually(async () => {
      const now = await bodies(tenant.tenantId).catch(() => null);
      return now && !now.includes('after the backup') ? now : null;
    }, 'the server reads the restored database');
    assert.deepEqual(restored, atBackup.bodies);
    assert.deepEqual(await ingestCounts(t, tenant.tenantId), atBackup.counts);
    // The foreign keys dropped for the copy are all back: as many as the kept database has.
    const foreignKeys = "SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace";
    const [restoredKeys] = await tenantQuery<{ n: number }>(t, tenant.tenantId, foreignKeys);
    const kept = await connectTo(before.database_name);
    try {
      assert.deepEqual(restoredKeys, (await kept.query(foreignKeys)).rows[0]);
      assert.ok(restoredKeys.n >= 10);
    } finally {
      await kept.end();
    }

    const [document] = await tenantQuery<{ id: string }>(t, tenant.tenantId, 'SELECT id FROM documents');
    const content = await fetch(`${t.url}/documents/${document.id}/content`, { headers: { authorization: `Bearer ${tenant.token}` } });
    assert.equal(content.status, 200);
    assert.deepEqual(Buffer.from(await content.arrayBuffer()), photo, 'the media file came back from the backup');

    assert.equal((await inbound(session, randomPhone(), 'after the restore')).status, 200);
    assert.ok((await bodies(tenant.tenantId)).includes('after the restore'));
  });

  test('move to schema mode and on to another server: every row goes along, webhooks meanwhile get 503 and are stored once on redelivery', async () => {
    const { tenant, session } = await tenantWithMessages(['one', 'two', 'three']);
    const start = { counts: await ingestCounts(t, tenant.tenantId), bodies: await bodies(tenant.tenantId) };
    const original = await placement(tenant.tenantId);

    const moving = cli('move-tenant', [tenant.tenantId, '--mode', 'schema']);
    await eventually(async () => (await placement(tenant.tenantId)).status === 'MAINTENANCE', 'the tenant enters maintenance');
    const phone = randomPhone();
    const id = `true_${phone}@c.us_${randomBytes(8).toString('hex')}`;
    // The server may serve from its cached record for TENANT_CACHE_TTL_MS more; then it answers 503.
    await eventually(async () => (await inbound(session, phone, 'during the move', id)).status === 503, 'the provider is asked to deliver again');
    const moved = await moving;
    assert.equal(moved.code, 0, moved.stderr);
    const inSchema = await placement(tenant.tenantId);
    assert.equal(inSchema.mode, 'schema');
    assert.equal(inSchema.status, 'ACTIVE');
    assert.ok(await databaseExists(original.database_name), 'the old database is kept by default');

    await eventually(async () => (await inbound(session, phone, 'during the move', id)).status === 200, 'the redelivery is stored');
    assert.equal((await inbound(session, phone, 'during the move', id)).status, 200);
    assert.deepEqual(await ingestCounts(t, tenant.tenantId), { ...start.counts, contacts: start.counts.contacts + 1, conversations: start.counts.conversations + 1, messages: start.counts.messages + 1, webhook_events: start.counts.webhook_events + 1 });
    assert.deepEqual(await bodies(tenant.tenantId), [...start.bodies, 'during the move'].sort());

    const { hostname, port } = new URL(testServerUrl());
    const unreachable = await cli('add-database-server', ['--name', 'nowhere', '--host', '127.0.0.1', '--port', '1', '--credentials', 'control']);
    assert.equal(unreachable.code, 1, 'a server that does not answer is not registered');
    const added = await cli('add-database-server', ['--name', 'second', '--host', hostname, '--port', port || '5432', '--credentials', 'control']);
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(await t.app.platform.control.query(`SELECT name FROM database_servers WHERE name IN ('second', 'nowhere')`), [{ name: 'second' }]);
    const back = await cli('move-tenant', [tenant.tenantId, '--server', 'second', '--mode', 'database', '--drop-old']);
    assert.equal(back.code, 0, back.stderr);
    const onSecond = await placement(tenant.tenantId);
    const [second] = await t.app.platform.control.query(`SELECT id FROM database_servers WHERE name = 'second'`);
    assert.deepEqual([onSecond.mode, onSecond.database_server_id, onSecond.schema_name], ['database', second.id, null]);
    // Its usual name is still taken by the database kept by the first move.
    assert.match(onSecond.database_name, new RegExp(`^${original.database_name}_[0-9a-f]{8}$`));
    const schemas = await connectTo(inSchema.database_name);
    try {
      const { rowCount } = await schemas.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [inSchema.schema_name]);
      assert.equal(rowCount, 0, '--drop-old dropped the schema');
    } finally {
      await schemas.end();
    }
    assert.deepEqual(await bodies(tenant.tenantId), [...start.bodies, 'during the move'].sort());
  });

  test('a move waits for a write in flight and takes it along; a write that comes too late is cut off, not lost silently', async () => {
    const { tenant } = await tenantWithMessages(['before']);
    const source = (await placement(tenant.tenantId)).database_name;
    const [early, late, watcher] = await Promise.all([connectTo(source), connectTo(source), connectTo(source)]);
    late.on('error', () => undefined);
    const relocationWaits = async (what: 'waiting' | 'holding') => {
      const { rows } = await watcher.query(
        `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE a.application_name = 'crm-relocation' AND l.relation = 'contacts'::regclass AND l.mode = 'ShareLock' AND l.granted = $1`,
        [what === 'holding'],
      );
      return rows.length > 0;
    };
    try {
      await early.query('BEGIN');
      await early.query(`INSERT INTO contacts (name, phone) VALUES ('In flight', '491511111111')`);
      const moving = cli('move-tenant', [tenant.tenantId, '--mode', 'schema']);
      await eventually(() => relocationWaits('waiting'), 'the move waits for the open write');
      await early.query('COMMIT');
      await eventually(() => relocationWaits('holding'), 'the move holds writes off');
      const tooLate = late.query(`INSERT INTO contacts (name, phone) VALUES ('Too late', '491522222222')`).then(
        () => 'committed',
        (error: { code?: string }) => error.code,
      );
      const moved = await moving;
      assert.equal(moved.code, 0, moved.stderr);
      // At least the late writer; the server's own outbox cleanup may be waiting on the locks too.
      const cut = Number(/(\d+) waiting writers cut off/.exec(moved.stdout)?.[1]);
      assert.ok(cut >= 1, moved.stdout);
      assert.equal(await tooLate, '57P01', 'the late writer was terminated (its request fails and is retried)');
      const names = await tenantQuery<{ name: string }>(t, tenant.tenantId, 'SELECT name FROM contacts ORDER BY name');
      assert.ok(names.some((row) => row.name === 'In flight'));
      assert.ok(!names.some((row) => row.name === 'Too late'));
    } finally {
      await Promise.all([early, late, watcher].map((client) => client.end().catch(() => undefined)));
    }
  });

  test('a damaged, interrupted, foreign or newer backup is refused with BACKUP_INVALID and the tenant stays as it was', async () => {
    const { tenant } = await tenantWithMessages(['keep me']);
    const other = await t.client.signUp();
    const dir = path.join(backups, `bad-${tenant.tenantId}`);
    assert.equal((await cli('backup-tenant', [tenant.tenantId, '--out', dir])).code, 0);
    const before = await placement(tenant.tenantId);
    const refused = async (target: string, from: string, reason: RegExp) => {
      const result = await cli('restore-tenant', [target, from]);
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stderr, /\[BACKUP_INVALID\]/);
      assert.match(result.stderr, reason);
    };

    await refused(other.tenantId, dir, /is of tenant/);

    const copy = (name: string) => {
      const to = path.join(backups, `${name}-${tenant.tenantId}`);
      fs.cpSync(dir, to, { recursive: true });
      return to;
    };
    const damaged = copy('damaged');
    fs.appendFileSync(path.join(damaged, 'tables', 'messages.copy.gz'), 'x');
    await refused(tenant.tenantId, damaged, /messages\.copy\.gz .* damaged/);

    const newer = copy('newer');
    const manifest = JSON.parse(fs.readFileSync(path.join(newer, 'manifest.json'), 'utf8'));
    fs.writeFileSync(path.join(newer, 'manifest.json'), JSON.stringify({ ...manifest, schemaVersion: '9999999999999' }));
    await refused(tenant.tenantId, newer, /newer than this release/);

    const interrupted = copy('interrupted');
    fs.rmSync(path.join(interrupted, 'manifest.json'));
    await refused(tenant.tenantId, interrupted, /interrupted backup/);

    assert.deepEqual(await placement(tenant.tenantId), before);
    assert.deepEqual(await bodies(tenant.tenantId), ['keep me']);
  });
});
