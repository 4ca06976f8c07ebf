import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { startTestApp, type TestApp } from '../support/test-app';
import { ConfigError, loadConfig } from '../../src/config';
import { wsRequest } from '../support/ws-request';
import { platformAdminToken } from '../support/platform-admin';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { CONNECT, ingestCounts, randomPhone } from '../whatsapp/whatsapp-test-kit';

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { token } }`;
const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token tenant { id } } }`;
const uniqueEmail = (label: string) => `${label}.${crypto.randomBytes(5).toString('hex')}@example.com`;

interface RawAnswer {
  status: number;
  retryAfter: string | null;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

/** A GraphQL POST with headers of our choosing (X-Forwarded-For), keeping the status and Retry-After. */
async function post(t: TestApp, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as RawAnswer['body'] };
}

const codeOf = (answer: RawAnswer) => answer.body.errors?.[0]?.extensions?.code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('finding 3: login back-off per account and per client address', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ LOGIN_ADDRESS_MAX_FAILURES: '1000' });
  });
  after(() => t.stop());

  test('finding 3: 60 wrong passwords, then the right one is refused with RATE_LIMITED and Retry-After', async () => {
    const victim = await t.client.signUp();
    const codes: unknown[] = [];
    for (let i = 0; i < 60; i += 1) {
      codes.push(codeOf(await post(t, LOGIN, { input: { email: victim.email, password: `wrong guess number ${i}` } })));
    }
    assert.deepEqual(codes.slice(0, 5), Array(5).fill('INVALID_CREDENTIALS'), 'five free failures');
    assert.deepEqual(new Set(codes.slice(5)), new Set(['RATE_LIMITED']), 'then locked out');

    const right = await post(t, LOGIN, { input: { email: victim.email, password: victim.password } });
    assert.equal(codeOf(right), 'RATE_LIMITED', 'the right password is refused while locked out');
    assert.equal(right.status, 429);
    const retryAfterSeconds = right.body.errors![0].extensions!.retryAfterSeconds as number;
    assert.ok(retryAfterSeconds >= 1 && retryAfterSeconds <= 60, `retryAfterSeconds ${retryAfterSeconds}`);
    assert.equal(right.retryAfter, String(retryAfterSeconds));

    // Another account from the same address is not locked out by this one's failures.
    const other = await t.client.signUp();
    assert.ok((await t.client.data(LOGIN, { input: { email: other.email, password: other.password } })).login.token);
  });

  test('finding 3: platformLogin backs off the same way', async () => {
    const admin = await platformAdminToken(t);
    assert.ok(admin);
    const [{ email }] = await t.app.platform.control.query('SELECT email FROM platform_admins LIMIT 1');
    const PLATFORM_LOGIN = `mutation ($input: PlatformLoginInput!) { platformLogin(input: $input) { token } }`;
    const codes = [];
    for (let i = 0; i < 8; i += 1) codes.push(codeOf(await post(t, PLATFORM_LOGIN, { input: { email, password: `wrong guess ${i}` } })));
    assert.deepEqual(codes, [...Array(5).fill('INVALID_CREDENTIALS'), ...Array(3).fill('RATE_LIMITED')]);
    assert.equal(codeOf(await post(t, PLATFORM_LOGIN, { input: { email, password: 'operator password 1' } })), 'RATE_LIMITED');
  });

  test("finding 3: guessing an account's password through signUp backs off like login", async () => {
    const victim = await t.client.signUp();
    const codes = [];
    for (let i = 0; i < 6; i += 1) {
      const input = { organizationName: `Guess ${i}`, email: victim.email, password: `guessed password ${i}`, name: 'G' };
      codes.push(codeOf(await post(t, SIGN_UP, { input })));
    }
    assert.deepEqual(codes, [...Array(5).fill('CONFLICT'), 'RATE_LIMITED']);
    assert.equal(codeOf(await post(t, LOGIN, { input: { email: victim.email, password: victim.password } })), 'RATE_LIMITED');
  });

  test('finding 3: parallel guesses get no more tries than sequential ones', async () => {
    const victim = await t.client.signUp();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post(t, LOGIN, { input: { email: victim.email, password: `parallel guess ${i}` } })),
    );
    const tried = answers.filter((answer) => codeOf(answer) === 'INVALID_CREDENTIALS').length;
    assert.ok(tried <= 6, `${tried} guesses were checked`);
    assert.equal(answers.filter((answer) => codeOf(answer) === 'RATE_LIMITED').length, 30 - tried);
  });
});

describe('finding 3: the lock-out doubles, a success resets it, and addresses are counted apart', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '1', LOGIN_ADDRESS_MAX_FAILURES: '4', TRUST_PROXY: 'true' });
  });
  after(() => t.stop());

  test('finding 3: lock-outs double after further failures; a success clears the account', async () => {
    const user = await t.client.signUp();
    // A new address each time: only the account's counter is at work here.
    const from = () => ({ 'x-forwarded-for': `203.0.113.${crypto.randomInt(1, 255)}` });
    const wrong = () => post(t, LOGIN, { input: { email: user.email, password: 'not the password' } }, from());
    const right = () => post(t, LOGIN, { input: { email: user.email, password: user.password } }, from());
    for (let i = 0; i < 3; i += 1) assert.equal(codeOf(await wrong()), 'INVALID_CREDENTIALS');
    assert.equal(codeOf(await right()), 'RATE_LIMITED', 'first lock-out (1 s)');
    await sleep(1_200);
    assert.equal(codeOf(await wrong()), 'INVALID_CREDENTIALS', 'one try after the lock-out');
    const locked = await right();
    assert.equal(codeOf(locked), 'RATE_LIMITED', 'second lock-out');
    assert.equal(locked.body.errors![0].extensions!.retryAfterSeconds, 2, 'twice as long');
    await sleep(1_200);
    assert.equal(codeOf(await right()), 'RATE_LIMITED', 'still locked after the first lock-out length');
    await sleep(1_000);
    assert.ok((await right()).body.data?.login.token, 'the right password after the lock-out');
    assert.equal(codeOf(await wrong()), 'INVALID_CREDENTIALS', 'the success reset the failures');
  });

  test('finding 3: failures from one address lock it out for every account; with TRUST_PROXY the forwarded address counts', async () => {
    const from = { 'x-forwarded-for': '198.51.100.7' };
    for (let i = 0; i < 4; i += 1) {
      assert.equal(codeOf(await post(t, LOGIN, { input: { email: uniqueEmail('nobody'), password: 'guessing away' } }, from)), 'INVALID_CREDENTIALS');
    }
    const user = await t.client.signUp();
    const blocked = await post(t, LOGIN, { input: { email: user.email, password: user.password } }, from);
    assert.equal(codeOf(blocked), 'RATE_LIMITED', 'the address is locked out');
    const elsewhere = await post(t, LOGIN, { input: { email: user.email, password: user.password } }, { 'x-forwarded-for': '198.51.100.8' });
    assert.ok(elsewhere.body.data?.login.token, 'another address is not');
  });
});

describe('finding 3: without TRUST_PROXY, X-Forwarded-For is ignored', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ LOGIN_ADDRESS_MAX_FAILURES: '3' });
  });
  after(() => t.stop());

  test('finding 3: a client cannot dodge the address limit by writing X-Forwarded-For', async () => {
    for (let i = 0; i < 3; i += 1) {
      const answer = await post(t, LOGIN, { input: { email: uniqueEmail('nobody'), password: 'guessing away' } }, { 'x-forwarded-for': `192.0.2.${i}` });
      assert.equal(codeOf(answer), 'INVALID_CREDENTIALS');
    }
    const answer = await post(t, LOGIN, { input: { email: uniqueEmail('nobody'), password: 'guessing away' } }, { 'x-forwarded-for': '192.0.2.99' });
    assert.equal(codeOf(answer), 'RATE_LIMITED');
  });
});

describe('finding 3: sign-ups per client address, and SIGNUP_MODE', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ SIGNUP_RATE_LIMIT: '3' });
  });
  after(() => t.stop());

  const countDatabases = async () => {
    const admin = await t.admin();
    try {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE $1 || '\\_%' AND datname NOT LIKE '%\\_control' AND datname NOT LIKE $1 || '\\_tpl\\_%'`, [t.prefix]);
      return rows[0].n as number;
    } finally {
      await admin.end();
    }
  };

  test('finding 3: more sign-ups than SIGNUP_RATE_LIMIT from one address are refused, and create no database', async () => {
    // A first sign-up builds the template database; the flood below is then counted alone.
    await t.client.signUp();
    const databasesBefore = await countDatabases();
    const [{ n: tenantsBefore }] = await t.app.platform.control.query('SELECT count(*)::int AS n FROM tenants');
    const answers: RawAnswer[] = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(await post(t, SIGN_UP, { input: { organizationName: `Flood ${i}`, email: uniqueEmail('flood'), password: 'correct horse battery', name: 'F' } }));
    }
    assert.deepEqual(answers.map(codeOf), [undefined, undefined, 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    assert.equal(answers[2].status, 429);
    assert.ok(Number(answers[2].retryAfter) > 0);
    const [{ n: tenantsAfter }] = await t.app.platform.control.query('SELECT count(*)::int AS n FROM tenants');
    assert.equal(tenantsAfter - tenantsBefore, 2);
    if (t.app.config.TENANCY_MODE === 'database') assert.equal((await countDatabases()) - databasesBefore, 2);
  });
});

describe('finding 3: SIGNUP_MODE closed and invite', () => {
  let closed: TestApp;
  let invite: TestApp;
  before(async () => {
    [closed, invite] = await Promise.all([startTestApp({ SIGNUP_MODE: 'closed' }), startTestApp({ SIGNUP_MODE: 'invite' })]);
  });
  after(async () => {
    await Promise.all([closed?.stop(), invite?.stop()]);
  });

  test('finding 3: SIGNUP_MODE=closed refuses every sign-up with SIGNUP_CLOSED', async () => {
    const answer = await post(closed, SIGN_UP, { input: { organizationName: 'Closed', email: uniqueEmail('c'), password: 'correct horse battery', name: 'C' } });
    assert.equal(codeOf(answer), 'SIGNUP_CLOSED');
    const [{ n }] = await closed.app.platform.control.query('SELECT count(*)::int AS n FROM tenants');
    assert.equal(n, 0);
  });

  test("finding 3: SIGNUP_MODE=invite needs a platform admin's invitation for that email, used once", async () => {
    const email = uniqueEmail('invited');
    const input = { organizationName: 'Invited Ltd', email, password: 'correct horse battery', name: 'I' };
    assert.equal(codeOf(await post(invite, SIGN_UP, { input })), 'SIGNUP_CLOSED');
    const adminToken = await platformAdminToken(invite);
    const created = await invite.client.data(
      `mutation ($email: String!) { createSignUpInvitation(email: $email) { token email } }`,
      { email },
      adminToken,
    );
    const { token } = created.createSignUpInvitation;
    assert.equal(codeOf(await post(invite, SIGN_UP, { input: { ...input, email: uniqueEmail('other'), invitationToken: token } })), 'SIGNUP_CLOSED', 'another email');
    const signedUp = await post(invite, SIGN_UP, { input: { ...input, invitationToken: token } });
    assert.ok(signedUp.body.data?.signUp.token, JSON.stringify(signedUp.body));
    assert.equal(codeOf(await post(invite, SIGN_UP, { input: { ...input, organizationName: 'Again', invitationToken: token } })), 'SIGNUP_CLOSED', 'used');
  });
});

describe('finding 3: requests per API key and per tenant, over HTTP and WebSocket', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ API_KEY_RATE_LIMIT: '3', TENANT_RATE_LIMIT: '6' });
  });
  after(() => t.stop());

  test('finding 3: an API key over API_KEY_RATE_LIMIT, then its tenant over TENANT_RATE_LIMIT, get 429 RATE_LIMITED; other tenants do not', async () => {
    const owner = await t.client.signUp();
    const other = await t.client.signUp();
    const { secret } = (await t.client.data(`mutation { createApiKey(name: "partner") { secret } }`, {}, owner.token)).createApiKey; // tenant: 1
    for (let i = 0; i < 3; i += 1) await t.client.data('{ members { role } }', {}, secret); // key: 3, tenant: 4
    const keyRefused = await t.client.request('{ members { role } }', {}, secret);
    assert.equal(keyRefused.status, 429);
    assert.equal(keyRefused.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
    assert.ok((keyRefused.errors?.[0]?.extensions?.retryAfterSeconds as number) >= 1);

    await t.client.data('{ members { role } }', {}, owner.token); // tenant: 5
    await t.client.data('{ members { role } }', {}, owner.token); // tenant: 6
    const tenantRefused = await t.client.request('{ members { role } }', {}, owner.token);
    assert.equal(tenantRefused.status, 429);
    assert.equal(tenantRefused.errors?.[0]?.extensions?.code, 'RATE_LIMITED');

    assert.equal((await t.client.data('{ members { role } }', {}, other.token)).members.length, 1, 'another tenant is not limited');
  });

  test('finding 3: WebSocket operations count against the tenant limit too', async () => {
    const owner = await t.client.signUp();
    const client = createClient({
      url: `${t.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${owner.token}` },
      retryAttempts: 0,
      lazy: true,
      lazyCloseTimeout: 60_000,
    });
    try {
      const outcomes = [];
      for (let i = 0; i < 7; i += 1) outcomes.push(await wsRequest(client, '{ members { role } }'));
      const codes = outcomes.map((outcome) => outcome.errors?.[0]?.extensions?.code ?? (outcome.data ? 'ok' : outcome.closeCode));
      // Each operation counts: six answered, the seventh refused.
      assert.deepEqual(codes, ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);
    } finally {
      await client.dispose();
    }
  });
});

describe('finding 3: signed provider webhooks are never limited', () => {
  let t: TestApp;
  let waha: FakeWahaServer;
  before(async () => {
    waha = await FakeWahaServer.start({ apiKey: 'waha-api-key' });
    t = await startTestApp({ ...waha.appEnv(), TENANT_RATE_LIMIT: '2' });
  });
  after(async () => {
    await t?.stop();
    await waha?.close();
  });

  test('finding 3: a tenant over TENANT_RATE_LIMIT still gets every signed webhook stored', async () => {
    const owner = await t.client.signUp();
    const session = (await t.client.data(CONNECT, { input: { provider: 'WAHA', name: 'Line' } }, owner.token)).connectWhatsApp; // 1
    await t.client.data('{ members { role } }', {}, owner.token); // 2
    assert.equal((await t.client.request('{ members { role } }', {}, owner.token)).status, 429, 'the tenant is limited');
    const statuses = [];
    for (let i = 0; i < 10; i += 1) {
      const answer = await waha.postWebhook(`${t.url}/webhooks/waha`, 'message', {
        session: session.externalSessionId,
        payload: FakeWahaServer.inboundText(randomPhone(), `hello ${i}`),
      });
      statuses.push(answer.status);
    }
    assert.deepEqual(statuses, Array(10).fill(200));
    assert.equal((await ingestCounts(t, owner.tenantId)).messages, 10);
  });
});

test('finding 3: TRUST_PROXY takes true, false, a hop count or proxy addresses, and names itself when wrong', () => {
  assert.equal(loadConfig({}).TRUST_PROXY, false);
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY, true);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY, 2);
  assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY, ['loopback', '10.0.0.0/8']);
  assert.throws(() => loadConfig({ TRUST_PROXY: 'not-an-address' }), (error: unknown) => error instanceof ConfigError && /TRUST_PROXY/.test(error.message));
  assert.throws(() => loadConfig({ SIGNUP_MODE: 'sometimes' }), /SIGNUP_MODE/);
});

for (const store of ['postgres', 'redis'] as const) {
  describe(`finding 3: instances share the counters (${store})`, () => {
    const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    let one: TestApp;
    let two: TestApp;
    before(async () => {
      const env = { LOGIN_MAX_FAILURES: '3', SIGNUP_RATE_LIMIT: '2', ...(store === 'redis' ? { REDIS_URL } : {}) };
      one = await startTestApp(env);
      two = await startTestApp(env, { join: one });
    });
    after(async () => {
      if (store === 'redis') {
        const redis = new Redis(REDIS_URL);
        const keys = await redis.keys(`${one.prefix}:rl:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
      await two?.stop();
      await one?.stop();
    });

    test(`finding 3: failures on one instance lock the account out on the other (${store})`, async () => {
      const user = await one.client.signUp(); // sign-up 1 of 2
      for (let i = 0; i < 3; i += 1) {
        assert.equal(codeOf(await post(one, LOGIN, { input: { email: user.email, password: 'not the password' } })), 'INVALID_CREDENTIALS');
      }
      assert.equal(codeOf(await post(two, LOGIN, { input: { email: user.email, password: user.password } })), 'RATE_LIMITED');
      await two.client.signUp(); // sign-up 2 of 2
      const third = await post(one, SIGN_UP, { input: { organizationName: 'Third', email: uniqueEmail('third'), password: 'correct horse battery', name: 'T' } });
      assert.equal(codeOf(third), 'RATE_LIMITED');
      const [{ n }] = await one.app.platform.control.query('SELECT count(*)::int AS n FROM rate_limits');
      if (store === 'redis') assert.equal(n, 0, 'the counters are in Redis');
      else assert.ok(n > 0, 'the counters are in the control database');
    });
  });
}
