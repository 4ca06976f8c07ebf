import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { wsRequest } from '../support/ws-request';
import { TokenService } from '../../src/platform/auth/token-service';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
const ME = '{ me { user { id } tenant { id } role } }';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('tokens and tenant boundaries', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let claims: { typ: string; tid: string; role: string };
  before(async () => {
    t = await startTestApp({ JWT_SECRET: SECRET });
    [a, b] = await Promise.all([t.client.signUp(), t.client.signUp()]);
    claims = { typ: 'user', tid: a.tenantId, role: 'TENANT_ADMIN' };
  });
  after(() => t.stop());

  const sign = (payload: object, options: jwt.SignOptions = {}, secret = SECRET) =>
    jwt.sign(payload, secret, {
      algorithm: 'HS256',
      subject: a.userId,
      issuer: t.app.config.JWT_ISSUER,
      audience: t.app.config.JWT_AUDIENCE,
      expiresIn: 600,
      ...options,
    });

  test('the genuine token works (the forgeries below differ from it in one way each)', async () => {
    const me = await t.client.data(ME, {}, sign(claims));
    assert.deepEqual(me.me, { user: { id: a.userId }, tenant: { id: a.tenantId }, role: 'TENANT_ADMIN' });
  });

  test('forged, expired, alg none, wrong audience or issuer, swapped tenant and garbage are UNAUTHENTICATED', async () => {
    const genuine = sign(claims);
    const [header, , signature] = genuine.split('.');
    const now = Math.floor(Date.now() / 1000);
    const forgeries: Record<string, string> = {
      'other secret': sign(claims, {}, 'another-secret-that-is-long-enough-for-hs256-xx'),
      expired: jwt.sign({ ...claims, sub: a.userId, iss: t.app.config.JWT_ISSUER, aud: t.app.config.JWT_AUDIENCE, iat: now - 120, exp: now - 60 }, SECRET),
      'alg none': `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, sub: a.userId, iss: t.app.config.JWT_ISSUER, aud: t.app.config.JWT_AUDIENCE, exp: now + 600 })}.`,
      'wrong audience': sign(claims, { audience: 'someone-else' }),
      'wrong issuer': sign(claims, { issuer: 'evil' }),
      'swapped tenant': `${header}.${base64url({ ...(jwt.decode(genuine) as object), tid: b.tenantId })}.${signature}`,
      'swapped role': `${header}.${base64url({ ...(jwt.decode(genuine) as object), role: 'AUDITOR' })}.${signature}`,
      'HS512 with the right secret': sign(claims, { algorithm: 'HS512' }),
      'unknown role': sign({ ...claims, role: 'OWNER' }),
      'no tenant': sign({ typ: 'user', role: 'TENANT_ADMIN' }),
      garbage: 'not-a-token',
    };
    for (const [what, token] of Object.entries(forgeries)) {
      const result = await t.client.request(ME, {}, token);
      assert.equal(result.status, 401, what);
      assert.equal(result.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', what);
      assert.equal(result.data, undefined, what);
    }
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', `Token ${genuine}`, `Bearer ${genuine} extra`]) {
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: header },
        body: JSON.stringify({ query: ME }),
      });
      const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      assert.equal(response.status, 401, header);
      assert.equal(body.errors[0].extensions.code, 'UNAUTHENTICATED', header);
    }
  });

  test("a valid token of tenant A never reads tenant B: no header selects a tenant", async () => {
    const tenantHeaders: Array<Record<string, string>> = [{ 'x-tenant-id': b.tenantId }, { 'x-tenant': b.tenantId, tenant: b.tenantId }];
    for (const headers of tenantHeaders) {
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}`, ...headers },
        body: JSON.stringify({ query: '{ me { tenant { id } } members { user { id } } }' }),
      });
      const body = (await response.json()) as { data: { me: { tenant: { id: string } }; members: Array<{ user: { id: string } }> } };
      assert.equal(body.data.me.tenant.id, a.tenantId);
      assert.deepEqual(body.data.members.map((m) => m.user.id), [a.userId]);
    }
    // Arguments cannot name another tenant's objects either.
    const other = await t.client.request(`mutation ($id: ID!) { changeMemberRole(userId: $id, role: AGENT) { role } }`, { id: b.userId }, a.token);
    assert.equal(other.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const membersOfB = await t.client.data('{ members { user { id } role } }', {}, b.token);
    assert.deepEqual(membersOfB.members, [{ user: { id: b.userId }, role: 'TENANT_ADMIN' }]);
  });

  test('over WebSocket, a bad token cannot connect and a good one can', async () => {
    for (const token of [sign(claims, {}, 'another-secret-that-is-long-enough-for-hs256-xx'), 'garbage', undefined]) {
      const client = t.client.ws(token);
      try {
        const outcome = await wsRequest(client, ME);
        assert.equal(outcome.closeCode, 4401, `token ${token}`);
        assert.equal(outcome.data, undefined);
      } finally {
        await client.dispose();
      }
    }
    const client = t.client.ws(a.token);
    try {
      const outcome = await wsRequest(client, ME);
      assert.equal(outcome.data.me.tenant.id, a.tenantId);
    } finally {
      await client.dispose();
    }
  });

  test("the token's expiry closes the socket", async () => {
    const shortLived = new TokenService({
      secret: SECRET,
      issuer: t.app.config.JWT_ISSUER,
      audience: t.app.config.JWT_AUDIENCE,
      ttlSeconds: 1,
    }).signUser({ userId: a.userId, tenantId: a.tenantId, role: 'TENANT_ADMIN' as never });
    // A raw graphql-transport-ws socket: connection_init, ack, then wait for the server to close it.
    const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const opened = Date.now();
    const closed = new Promise<{ code: number; at: number }>((resolve) => socket.on('close', (code) => resolve({ code, at: Date.now() })));
    const acked = new Promise<void>((resolve, reject) => {
      socket.on('message', (raw) => (JSON.parse(String(raw)).type === 'connection_ack' ? resolve() : reject(new Error(String(raw)))));
    });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${shortLived.token}` } })));
    try {
      // A token signed just before a whole second can expire before the ack: then the close comes first.
      await Promise.race([acked, closed]);
      const { code, at } = await closed;
      assert.equal(code, 4401);
      assert.ok(at - opened <= 2_500, `closed after ${at - opened} ms`);
    } finally {
      socket.terminate();
    }
  });
});
