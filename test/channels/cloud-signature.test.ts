import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { signCloudBody, verifyCloudSignature } from '../../src/channels/cloud/cloud-signature';
import { answerVerifyChallenge } from '../../src/channels/cloud/cloud-verify-challenge';
import { readFixtureText } from '../fakes/fixture-files';

describe('Cloud API webhook signature (X-Hub-Signature-256)', () => {
  const body = readFixtureText('whatsapp-cloud/inbound-text-message.json');
  const secret = 'app-secret-123';
  // Independent computation, so the test does not only compare the code with itself.
  const expected = `sha256=${createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex')}`;

  test('signature is sha256= + hex HMAC-SHA256 of the raw body', () => {
    assert.equal(signCloudBody(body, secret), expected);
    assert.match(expected, /^sha256=[0-9a-f]{64}$/);
  });

  test('a good signature verifies', () => {
    assert.equal(verifyCloudSignature(Buffer.from(body), expected, secret), true);
    assert.equal(verifyCloudSignature(body, expected.replace('sha256=', 'SHA256='), secret), true);
  });

  test('wrong secret and tampered body are rejected', () => {
    assert.equal(verifyCloudSignature(body, expected, 'app-secret-124'), false);
    assert.equal(verifyCloudSignature(body.replace('Sheena', 'Sheeno'), expected, secret), false);
  });

  test('missing prefix, wrong length, garbage and missing header are false', () => {
    for (const header of [
      expected.slice('sha256='.length),
      expected.slice(0, -1),
      `${expected}ab`,
      `sha1=${expected.slice(7)}`,
      'sha256=',
      'sha256=' + 'g'.repeat(64),
      undefined,
      null,
      '',
      [expected, expected],
    ]) {
      assert.equal(verifyCloudSignature(body, header as string | undefined, secret), false, String(header));
    }
  });
});

describe('Cloud API subscription check (GET hub.challenge)', () => {
  test('echoes the challenge when the verify token matches', () => {
    const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok-1', 'hub.challenge': '1158201444' });
    assert.deepEqual(answerVerifyChallenge(query, 'tok-1'), { ok: true, status: 200, body: '1158201444' });
  });

  test('refuses a wrong token, a missing configuration, and requests that are not checks', () => {
    const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'tok-2', 'hub.challenge': '42' };
    assert.equal(answerVerifyChallenge(query, 'tok-1').status, 403);
    assert.equal(answerVerifyChallenge(query, undefined).status, 403);
    assert.equal(answerVerifyChallenge({ ...query, 'hub.mode': 'unsubscribe' }, 'tok-2').status, 400);
    assert.equal(answerVerifyChallenge({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok-2' }, 'tok-2').status, 400);
    assert.equal(answerVerifyChallenge({ ...query, 'hub.challenge': '<script>' }, 'tok-2').status, 400);
  });
});
