import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app';
import { createLogger } from '../../src/platform/logger';
import { signWahaBody } from '../../src/channels/waha/waha-signature';
import { LiveSubscription, MESSAGE_RECEIVED, waitUntil } from '../support/live-subscription';
import type { SignedUp } from '../support/graphql-client';
import { readFixture } from '../fakes/fixture-files';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123';
const HMAC_KEY = 'waha-hmac-key-for-the-test-0123';

/** Prometheus text → sample values by series (`name{labels}`), and TYPE lines by metric name. */
function parseMetrics(text: string): { values: Map<string, number>; types: Map<string, string> } {
  const values = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { values, types };
}

describe('operations: /metrics and request-scoped logs', () => {
  let t: TestApp;
  let owner: SignedUp;
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    t = await startTestApp(
      {
        METRICS_TOKEN,
        METRICS_SAMPLE_INTERVAL_MS: '200',
        WAHA_WEBHOOK_HMAC_KEY: HMAC_KEY,
        TENANT_RATE_LIMIT: '40',
        LOG_LEVEL: 'debug',
      },
      { log: createLogger('debug', {}, sink) },
    );
    owner = await t.client.signUp();
  });
  after(() => t.stop());

  const scrape = async () => {
    const response = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(response.status, 200);
    return parseMetrics(await response.text());
  };

  test('the metrics need the token when METRICS_TOKEN is set', async () => {
    assert.equal((await fetch(`${t.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${t.url}/metrics`, { headers: { authorization: `Basic ${METRICS_TOKEN}` } })).status, 401);
    const body = await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    assert.match(body, /^# TYPE crm_graphql_requests_total counter$/m);
  });

  test('requests, subscriptions, webhooks and events move counters, histograms and gauges of the right types', async () => {
    const before = await scrape();
    const series = (name: string) => before.values.get(name) ?? 0;

    await t.client.data('{ me { role } }', {}, owner.token);
    await t.client.data('{ me { role } }', {}, owner.token);
    await t.client.data('mutation { createContact(input: { name: "Metric", phone: "+44 7911 123456" }) { id } }', {}, owner.token);
    await t.client.request('{ nope }', {}, owner.token);

    const ws = t.client.ws(owner.token);
    const live = new LiveSubscription(ws, MESSAGE_RECEIVED);
    // Two bad-signature and one unrouted WAHA delivery.
    const body = JSON.stringify({ ...readFixture<Record<string, unknown>>('waha/message.json'), session: 'nobody-here' });
    for (const signature of ['00', 'ff']) {
      const bad = await fetch(`${t.url}/webhooks/waha`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-hmac': signature }, body });
      assert.equal(bad.status, 401);
    }
    const unrouted = await fetch(`${t.url}/webhooks/waha`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-hmac': signWahaBody(Buffer.from(body), HMAC_KEY), 'x-request-id': 'hook-1' },
      body,
    });
    assert.equal(unrouted.status, 404);
    assert.equal(unrouted.headers.get('x-request-id'), 'hook-1');

    try {
      let now = before;
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        now = await scrape();
        if ((now.values.get('crm_websocket_operations') ?? 0) >= 1 && (now.values.get('crm_server_tenants{server="default"}') ?? 0) >= 1) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { values, types } = now;
      for (const [name, type] of Object.entries({
        crm_graphql_requests_total: 'counter',
        crm_graphql_request_duration_seconds: 'histogram',
        crm_webhook_requests_total: 'counter',
        crm_rate_limit_refusals_total: 'counter',
        crm_event_dispatch_lag_seconds: 'histogram',
        crm_websocket_connections: 'gauge',
        crm_websocket_operations: 'gauge',
        crm_job_queue_depth: 'gauge',
        crm_job_queue_oldest_age_seconds: 'gauge',
        crm_server_tenants: 'gauge',
        crm_server_tenant_database_bytes: 'gauge',
        crm_server_connections: 'gauge',
        crm_tenancy_connections_open: 'gauge',
        crm_tenancy_opened_total: 'counter',
      })) {
        assert.equal(types.get(name), type, name);
      }
      const moved = (name: string) => (values.get(name) ?? 0) - series(name);
      assert.ok(moved('crm_graphql_requests_total{operation="query",transport="http",outcome="ok"}') >= 2);
      assert.equal(moved('crm_graphql_requests_total{operation="mutation",transport="http",outcome="ok"}'), 1);
      assert.equal(moved('crm_graphql_requests_total{operation="unknown",transport="http",outcome="error"}'), 1);
      assert.ok(moved('crm_graphql_request_duration_seconds_count{operation="query",transport="http"}') >= 2);
      assert.ok((values.get('crm_graphql_request_duration_seconds_sum{operation="query",transport="http"}') ?? 0) > 0);
      assert.equal(moved('crm_graphql_requests_total{operation="subscription",transport="ws",outcome="ok"}'), 1);
      assert.equal(values.get('crm_websocket_connections'), 1);
      assert.equal(values.get('crm_websocket_operations'), 1);
      assert.equal(moved('crm_webhook_requests_total{provider="waha",outcome="bad_signature"}'), 2);
      assert.equal(moved('crm_webhook_requests_total{provider="waha",outcome="unrouted"}'), 1);
      // contact.created went through the dispatcher
      assert.ok(moved('crm_event_dispatch_lag_seconds_count') >= 1);
      // sampled figures
      assert.ok((values.get('crm_server_tenants{server="default"}') ?? 0) >= 1);
      assert.ok((values.get('crm_server_tenant_database_bytes{server="default"}') ?? 0) > 1_000_000);
      assert.ok((values.get('crm_server_connections{server="default"}') ?? 0) >= 1);
      assert.ok(values.has('crm_job_queue_depth{queue="outbound-send"}'), 'the send queue is sampled');
      // No label carries a tenant, user or path: every series has only the bounded label names.
      for (const name of values.keys()) {
        assert.doesNotMatch(name, /[{,](tenant|tenant_id|user|path|route)=|[0-9a-f]{8}-[0-9a-f]{4}-/, name);
      }
    } finally {
      live.dispose();
      await ws.dispose();
    }
    // Gauges go down again once the socket is gone.
    let open = 1;
    for (let i = 0; i < 50 && open > 0; i += 1) {
      open = (await scrape()).values.get('crm_websocket_connections') ?? 0;
      if (open > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(open, 0);
  });

  test('the Grafana dashboard in deploy/ only charts metrics the server exports', async () => {
    const dashboard = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'deploy', 'grafana-dashboard.json'), 'utf8');
    JSON.parse(dashboard);
    const { types } = await scrape();
    const charted = new Set([...dashboard.matchAll(/\bcrm_[a-z0-9_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, '')));
    assert.ok(charted.size >= 15);
    for (const name of charted) assert.ok(types.has(name), `${name} is charted but not exported`);
  });

  test('responses carry the request id: a sane incoming one is kept, anything else replaced', async () => {
    const plain = await fetch(`${t.url}/healthz`);
    assert.match(plain.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const kept = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'edge-42.abc' } });
    assert.equal(kept.headers.get('x-request-id'), 'edge-42.abc');
    for (const insane of ['a'.repeat(65), 'two words', 'x"y', '<script>']) {
      const replaced = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': insane } });
      assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, insane);
    }
    const graphql = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}`, 'x-request-id': 'trace-me-1' },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });
    assert.equal(graphql.headers.get('x-request-id'), 'trace-me-1');
  });

  test('every log line of a request carries its request id, and its tenant id once known', async () => {
    await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}`, 'x-request-id': 'trace-me-2' },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });
    await waitUntil(() => lines.some((line) => line.requestId === 'trace-me-2'), 'a log line of the request');
    const ofRequest = lines.filter((line) => line.requestId === 'trace-me-2');
    assert.ok(ofRequest.length >= 1);
    for (const line of ofRequest) assert.equal(line.tenantId, owner.tenantId, JSON.stringify(line));
    // The webhook answered 404 above logged its warning under its request id.
    const hook = lines.find((line) => line.requestId === 'hook-1');
    assert.ok(hook, 'the unrouted webhook logged under its request id');
    assert.equal(hook.msg, 'WAHA webhook for an unknown session');
  });

  test('rate-limit refusals are counted by limit', async () => {
    const before = (await scrape()).values.get('crm_rate_limit_refusals_total{limit="tenant"}') ?? 0;
    let refused = 0;
    for (let i = 0; i < 45 && refused === 0; i += 1) {
      const result = await t.client.request('{ me { role } }', {}, owner.token);
      if (result.status === 429) refused += 1;
    }
    assert.equal(refused, 1, 'the tenant limit of 40 a minute refused');
    const after = (await scrape()).values.get('crm_rate_limit_refusals_total{limit="tenant"}') ?? 0;
    assert.equal(after - before, 1);
  });
});
