import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { signWahaBody, verifyWahaSignature } from '../../src/channels/waha/waha-signature';
import { readFixture } from '../fakes/fixture-files';

interface Vector {
  body: string;
  key: string;
  headers: { 'X-Webhook-Hmac': string; 'X-Webhook-Hmac-Algorithm': string };
}

describe('WAHA webhook signature (X-Webhook-Hmac, HMAC-SHA512)', () => {
  const vector = readFixture<Vector>('waha/hmac-test-vector.json');
  const signature = vector.headers['X-Webhook-Hmac'];

  test('signing the documented body with the documented key gives the documented header', () => {
    assert.equal(signWahaBody(vector.body, vector.key), signature);
  });

  test('the documented vector verifies, as string and as bytes, with the algorithm header', () => {
    assert.equal(verifyWahaSignature(vector.body, signature, vector.key), true);
    assert.equal(verifyWahaSignature(Buffer.from(vector.body), signature, vector.key, 'sha512'), true);
    assert.equal(verifyWahaSignature(vector.body, signature.toUpperCase(), vector.key), true);
  });

  test('a wrong key is rejected', () => {
    assert.equal(verifyWahaSignature(vector.body, signature, 'my-secret-kez'), false);
    assert.equal(verifyWahaSignature(vector.body, signature, ''), false);
  });

  test('a tampered body is rejected, even by one byte or whitespace', () => {
    assert.equal(verifyWahaSignature(vector.body.replace('default', 'defaulT'), signature, vector.key), false);
    assert.equal(verifyWahaSignature(`${vector.body} `, signature, vector.key), false);
    const reserialised = JSON.stringify(JSON.parse(vector.body), null, 1);
    assert.equal(verifyWahaSignature(reserialised, signature, vector.key), false);
  });

  test('wrong length, garbage, missing or repeated headers are false and never throw', () => {
    for (const header of [
      signature.slice(0, -2),
      `${signature}00`,
      'z'.repeat(128),
      `sha512=${signature}`,
      '',
      '   ',
      undefined,
      null,
      [signature, signature],
    ]) {
      assert.equal(verifyWahaSignature(vector.body, header as string | undefined, vector.key), false, String(header));
    }
  });

  test('a different declared algorithm is rejected', () => {
    assert.equal(verifyWahaSignature(vector.body, signature, vector.key, 'sha256'), false);
    assert.equal(verifyWahaSignature(vector.body, signature, vector.key, ['sha512', 'sha512']), false);
  });
});
