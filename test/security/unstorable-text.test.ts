import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QueryFailedError } from 'typeorm';
import type { InboundMessageEvent } from '../../src/channels/channel-events';
import { parseCloudWebhook } from '../../src/channels/cloud/cloud-webhook-parser';
import { parseWahaWebhook } from '../../src/channels/waha/waha-webhook-parser';
import { storableJson, storableText } from '../../src/channels/provider-text';
import { isTransientDbError } from '../../src/platform/db/pg-errors';
import { AppError, ErrorCode } from '../../src/platform/errors';
import { readFixtureText } from '../fakes/fixture-files';

describe('finding 5: provider text is made storable before PostgreSQL sees it', () => {
  test('U+0000 and lone surrogates become U+FFFD; surrogate pairs stay', () => {
    assert.equal(storableText('a\u0000b\ud800c\udfffd😀'), 'a\uFFFDb\uFFFDc\uFFFDd😀');
    const cleaned = storableJson({ 'k\u0000': ['x\ud83d', { deep: 'y\u0000' }], __proto__key: 1 }) as Record<string, unknown>;
    assert.deepEqual(cleaned, { 'k\uFFFD': ['x\uFFFD', { deep: 'y\uFFFD' }], __proto__key: 1 });
  });

  test('a JSON "__proto__" key stays a plain key', () => {
    const parsed = storableJson(JSON.parse('{"__proto__": {"polluted": "x\\u0000"}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('the Cloud API parser cleans the text of a webhook (body and contact name)', () => {
    const body = readFixtureText('whatsapp-cloud/inbound-text-message.json')
      .replace('Does it come in another color?', 'nul \\u0000 and \\ud800 lone')
      .replace('Sheena Nelson', 'Sheena\\u0000');
    const event = parseCloudWebhook(body).byRoutingKey[0].events[0] as InboundMessageEvent;
    assert.equal(event.body, 'nul \uFFFD and \uFFFD lone');
    assert.equal(event.fromName, 'Sheena\uFFFD');
    assert.doesNotMatch(JSON.stringify(event.raw), /\\u0000|\\ud800/);
  });

  test('the WAHA parser cleans the text of a webhook', () => {
    const body = JSON.stringify({
      id: 'evt_1',
      event: 'message',
      session: 's\u0000',
      payload: { id: 'false_447911123456@c.us_AAA', timestamp: 1, from: '447911123456@c.us', body: 'hi \udc00 there\u0000' },
    });
    const parsed = parseWahaWebhook(body);
    assert.equal(parsed.routingKey, 's\uFFFD');
    assert.equal((parsed.events[0] as InboundMessageEvent).body, 'hi \uFFFD there\uFFFD');
  });
});

describe('finding 5: transient database failures are told apart from bad content', () => {
  const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
  test('connection refused, too many connections, shutdown, deadlock: transient', () => {
    for (const code of ['53300', '57P01', '57P03', '08006', '40P01']) {
      assert.equal(isTransientDbError(pgError(code)), true, code);
      assert.equal(isTransientDbError(new QueryFailedError('SELECT 1', [], pgError(code))), true, `wrapped ${code}`);
    }
    assert.equal(isTransientDbError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })), true);
    assert.equal(isTransientDbError(new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })])), true);
    assert.equal(isTransientDbError(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isTransientDbError(new AppError(ErrorCode.CONNECTION_BUDGET_EXHAUSTED, 'busy')), true);
  });
  test('bad values and bugs: not transient', () => {
    for (const code of ['22001', '22P02', '23505', '22021']) assert.equal(isTransientDbError(pgError(code)), false, code);
    assert.equal(isTransientDbError(new TypeError('x is undefined')), false);
    assert.equal(isTransientDbError(new AppError(ErrorCode.VALIDATION_FAILED, 'no')), false);
  });
});
