import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProviderError } from '../../src/channels/channel-errors';
import { ProviderRegistry, type ProviderRegistryConfig } from '../../src/channels/provider-registry';
import { toE164Digits, toWahaChatId, parseWhatsAppAddress } from '../../src/channels/whatsapp-address';

const base: ProviderRegistryConfig = {
  WAHA_URL: undefined,
  WAHA_API_KEY: undefined,
  WAHA_WEBHOOK_HMAC_KEY: undefined,
  CLOUD_API_URL: 'https://graph.facebook.com/v21.0',
  PUBLIC_URL: undefined,
};

describe('provider registry', () => {
  test('without WAHA_URL: Cloud and Sandbox are available and the sandbox is the default', () => {
    const registry = new ProviderRegistry(base);
    assert.deepEqual(registry.available(), ['CLOUD', 'SANDBOX']);
    assert.equal(registry.defaultProvider(), 'SANDBOX');
    assert.equal(registry.isAvailable('WAHA'), false);
    assert.throws(() => registry.forChannel({ provider: 'WAHA', sessionName: 's' }), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.providerCode, 'NOT_CONFIGURED');
      return true;
    });
    assert.equal(registry.webhookUrl('WAHA'), null);
  });

  test('with WAHA_URL: WAHA is available and the default; providers are bound to their channel', () => {
    const registry = new ProviderRegistry({
      ...base,
      WAHA_URL: 'http://waha.internal:3000',
      WAHA_WEBHOOK_HMAC_KEY: 'k'.repeat(20),
      PUBLIC_URL: 'https://crm.example.test/',
    });
    assert.deepEqual(registry.available(), ['WAHA', 'CLOUD', 'SANDBOX']);
    assert.equal(registry.defaultProvider(), 'WAHA');
    const waha = registry.forChannel({ provider: 'WAHA', sessionName: 'tenant-a' });
    assert.equal(waha.kind, 'WAHA');
    assert.equal(waha.externalKey, 'tenant-a');
    assert.equal(waha.capabilities.templates, false);
    const cloud = registry.forChannel({ provider: 'CLOUD', phoneNumberId: '1065', accessToken: 't' });
    assert.equal(cloud.kind, 'CLOUD');
    assert.equal(cloud.externalKey, '1065');
    assert.equal(cloud.capabilities.templates, true);
    assert.equal(registry.webhookUrl('WAHA'), 'https://crm.example.test/webhooks/waha');
    assert.equal(registry.webhookUrl('CLOUD'), 'https://crm.example.test/webhooks/whatsapp-cloud');
  });

  test('a Cloud channel without a token is refused', () => {
    const registry = new ProviderRegistry(base);
    assert.throws(() => registry.forChannel({ provider: 'CLOUD', phoneNumberId: '1065', accessToken: '' }), ProviderError);
  });

  test('sandbox providers are kept per session so their state survives between calls', async () => {
    const registry = new ProviderRegistry(base, { sandbox: { qrPhaseMs: 10_000 } });
    const first = registry.forChannel({ provider: 'SANDBOX', sessionName: 'demo' });
    const state = await first.startSession({ webhookUrl: 'unused' });
    const again = registry.forChannel({ provider: 'SANDBOX', sessionName: 'demo' });
    assert.equal(again, first);
    assert.equal((await again.getQrCode())?.value, state.qrCode);
    assert.notEqual(registry.forChannel({ provider: 'SANDBOX', sessionName: 'other' }), first);
    registry.dispose();
  });
});

describe('WhatsApp addresses', () => {
  test('phones in any spelling become digits and c.us chat ids', () => {
    assert.equal(toE164Digits('+1 (650) 555-1234'), '16505551234');
    assert.equal(toE164Digits('16505551234@c.us'), '16505551234');
    assert.equal(toE164Digits('16505551234:12@s.whatsapp.net'), '16505551234');
    assert.equal(toE164Digits('123@lid'), null);
    assert.equal(toE164Digits('call me'), null);
    assert.equal(toWahaChatId('+49 151 12345678'), '4915112345678@c.us');
    assert.equal(toWahaChatId('120363402931855007@g.us'), '120363402931855007@g.us');
    assert.throws(() => toWahaChatId('status@broadcast'), TypeError);
    assert.throws(() => toWahaChatId('12'), TypeError);
  });

  test('address kinds', () => {
    assert.deepEqual(parseWhatsAppAddress('11111111111@c.us'), { id: '11111111111@c.us', kind: 'user', phone: '11111111111' });
    assert.equal(parseWhatsAppAddress('1203@g.us')?.kind, 'group');
    assert.equal(parseWhatsAppAddress('9999@lid')?.kind, 'lid');
    assert.equal(parseWhatsAppAddress('status@broadcast')?.kind, 'broadcast');
    assert.equal(parseWhatsAppAddress('no-at-sign'), null);
    assert.equal(parseWhatsAppAddress('abc@c.us'), null);
  });
});
